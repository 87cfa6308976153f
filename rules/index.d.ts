export declare const sigmaDir: string;
export declare const mlpsDir: string;
export declare const pipelinesDir: string;
export declare const drillsDir: string;
