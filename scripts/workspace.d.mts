export declare function ensureBuilt(log?: (line: string) => void): boolean;
export declare function bundlePage(publicDir: string): Promise<void>;
export declare function bundleWorkspace(out?: string): Promise<{ server: string; publicDir: string }>;
