// The inputs of a configuration load, in a file of their own: every reader in config/ takes
// them, and load-config.ts, which calls those readers, would otherwise tie them all to itself.

/**
 * FileReader reads a configuration file as UTF-8, at most `maxBytes`, and throws an error
 * that describeReadError can name when it cannot (main reads regular files only).
 */
export type FileReader = (path: string, maxBytes: number) => string;

export interface ConfigSources {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  readFile: FileReader;
}
