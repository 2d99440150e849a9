/**
 * The reach index (the `./reach` entry): profiles in columns for live segment counts over many
 * profiles, answering exactly what the row engine (`compileSegment`) answers.
 *
 * ```ts
 * const index = ReachIndex.from(profiles, { schema });
 * const vip = compileReach(index, 'tags contains "VIP" and language = "ar"', { segments, now });
 * vip.count();               // live: follows index.add / upsert / deleteId
 * index.upsert(changedProfile);
 * vip.count();
 * ```
 */
export { compileReach, reachCount, type ReachOptions, type ReachQuery } from './query';
export { ReachIndex, addJsonLines, type ReachIndexOptions } from './store';
export { schemaFor } from './prune';
export type { Selection } from './bitset';
export { createReachCountProvider, type ReachCountProvider, type ReachCountProviderOptions, type WorkerLike } from './count-provider';
export { serveReach, type ReachPort, type ReachReply, type ReachRequest } from './worker';
