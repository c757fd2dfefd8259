// src/config-loader.ts: loadConfig: defaults, then the JSON file, then SCANNER_HLS_* variables, then flags; --help text.
import { readFileSync } from 'node:fs';
import {
  type AppConfig,
  defaultConfig,
  defaultText,
  OPTIONS,
  type OptionSpec,
  type Raw,
  validateWhole,
} from './config.js';
import { ConfigError, errorMessage } from './errors.js';

function applyOne(cfg: AppConfig, spec: OptionSpec, raw: Raw, source: string): void {
  try {
    spec.apply(cfg, raw);
  } catch (e) {
    throw new ConfigError(
      `invalid ${spec.flag} (${source}) ${JSON.stringify(raw)}: ${errorMessage(e)}`,
    );
  }
}

/** Result of reading argv: the options given, plus --config and --help/--version requests. */
interface ParsedArgs {
  values: { spec: OptionSpec; raw: Raw }[];
  configFile: string | null;
  help: boolean;
  version: boolean;
  /** Flags main.ts handles itself (e.g. demo-only flags) are refused here unless listed. */
}

function parseArgv(argv: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { values: [], configFile: null, help: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      out.help = true;
      continue;
    }
    if (arg === '--version') {
      out.version = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (flag === '--config') {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new ConfigError('--config needs a FILE');
      out.configFile = v;
      continue;
    }
    const negated = flag.startsWith('--no-');
    const spec = OPTIONS.find((o) => o.flag === (negated ? '--' + flag.slice(5) : flag));
    if (!spec || (negated && spec.kind !== 'boolean'))
      throw new ConfigError(`unknown option ${JSON.stringify(arg)} (see --help)`);
    if (spec.kind === 'boolean') {
      out.values.push({ spec, raw: inline ?? !negated });
      continue;
    }
    const v = inline ?? argv[++i];
    if (v === undefined) throw new ConfigError(`${spec.flag} needs a value`);
    // A repeated list flag adds to its first occurrence's value (one item a line).
    const earlier = spec.kind === 'list' ? out.values.find((x) => x.spec === spec) : undefined;
    if (earlier) earlier.raw = `${String(earlier.raw)}\n${v}`;
    else out.values.push({ spec, raw: v });
  }
  return out;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read --config ${path}: ${errorMessage(e)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`--config ${path} is not valid JSON: ${errorMessage(e)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`--config ${path} must hold a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/** The JSON-file key of a setting: the flag without dashes, camel-cased (e.g. segmentDuration). */
export function fileKey(spec: OptionSpec): string {
  return spec.flag.slice(2).replace(/-([a-z])/g, (_m, ch: string) => ch.toUpperCase());
}

/** Outcome of loadConfig: a config, or a request for help/version text. */
export type LoadResult =
  | { kind: 'config'; config: Readonly<AppConfig>; configFile: string | null }
  | { kind: 'help' }
  | { kind: 'version' };

/**
 * Builds the config from defaults, then the JSON file, then the environment, then argv (later wins).
 * Throws ConfigError naming the setting and its accepted range.
 */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): LoadResult {
  const args = parseArgv(argv);
  if (args.help) return { kind: 'help' };
  if (args.version) return { kind: 'version' };
  const cfg = defaultConfig();
  const configFile = args.configFile ?? env.SCANNER_HLS_CONFIG ?? null;
  if (configFile) applyFile(cfg, readConfigFile(configFile), configFile);
  for (const spec of OPTIONS) {
    const v = env[spec.env];
    if (v !== undefined && v !== '') applyOne(cfg, spec, v, `from ${spec.env}`);
  }
  for (const { spec, raw } of args.values) applyOne(cfg, spec, raw, 'on the command line');
  validateWhole(cfg);
  return { kind: 'config', config: Object.freeze(cfg), configFile };
}

/** Applies a parsed JSON config object; unknown keys are refused so typos don't pass silently. */
export function applyFile(cfg: AppConfig, obj: Record<string, unknown>, path: string): void {
  for (const [k, v] of Object.entries(obj)) {
    const spec = OPTIONS.find((o) => fileKey(o) === k);
    if (!spec) {
      const known = OPTIONS.map(fileKey).join(', ');
      throw new ConfigError(`unknown key ${JSON.stringify(k)} in ${path}; known keys: ${known}`);
    }
    if (spec.kind === 'list' && Array.isArray(v) && v.every((x) => typeof x === 'string')) {
      applyOne(cfg, spec, v.join('\n'), `in ${path}`);
      continue;
    }
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new ConfigError(
        `invalid ${spec.flag} (in ${path}): must be a string, number or boolean`,
      );
    }
    applyOne(cfg, spec, v, `in ${path}`);
  }
}

/** Help text built from the settings table. */
export function helpText(): string {
  const lines = [
    'Usage: scanner-hls [options]',
    '',
    'Live HLS packager for radio scanners. Options (also SCANNER_HLS_* variables and --config FILE.json):',
    '',
  ];
  for (const o of OPTIONS) {
    lines.push(`  ${o.flag.padEnd(20)} ${o.describe} [default: ${defaultText(o)}; env ${o.env}]`);
  }
  lines.push(
    `  ${'--config FILE'.padEnd(20)} JSON file with the same settings (keys like segmentDuration)`,
  );
  return lines.join('\n') + '\n';
}
