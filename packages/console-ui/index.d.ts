/** The folder holding the console's built files: index.html and what it loads. */
export declare const assetsDir: string;
