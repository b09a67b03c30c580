/** Types of build-cli.mjs, for the TypeScript that imports it (cli/compiled.test.ts). */
export declare const bundlePath: string;
export declare const STAMP: string;
export declare function buildCli(): Promise<string>;
export declare function isFresh(path?: string, where?: string): boolean;
