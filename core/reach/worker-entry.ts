/**
 * The worker script (`n8n-nodes-segments/reach/worker`): start it as a module worker and give it
 * to `createReachCountProvider`.
 *
 * ```ts
 * const worker = new Worker(new URL('n8n-nodes-segments/reach/worker', import.meta.url), { type: 'module' });
 * ```
 */
import { serveReach, type ReachPort } from './worker';

serveReach(globalThis as unknown as ReachPort);

// (an ES module: with no export, a bundler in this "type": "commonjs" package reads it as CommonJS
// and wraps the whole core in lazy initialisers that no consumer can shake)
export {};
