// A strict reader of the Prometheus text format 0.0.4 for tests: every line must be a HELP, a TYPE or a
// sample of a family whose HELP and TYPE came first. Returns samples keyed `name{labels}` as written.

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const SAMPLE = new RegExp(
  `^(${NAME})(\\{${LABEL}(?:,${LABEL})*\\})? (-?(?:\\d+(?:\\.\\d+)?(?:e[+-]?\\d+)?|NaN|\\+Inf|-Inf))$`,
);
const HELP = new RegExp(`^# HELP (${NAME}) .+$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);

export function parsePrometheus(text: string): Map<string, number> {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a line feed');
  const help = new Set<string>();
  const type = new Map<string, string>();
  const out = new Map<string, number>();
  for (const line of text.slice(0, -1).split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = HELP.exec(line))) help.add(m[1]!);
    else if ((m = TYPE.exec(line))) {
      if (type.has(m[1]!)) throw new Error(`second TYPE for ${m[1]}`);
      type.set(m[1]!, m[2]!);
    } else if ((m = SAMPLE.exec(line))) {
      const name = m[1]!;
      if (!help.has(name) || !type.has(name)) throw new Error(`sample before HELP/TYPE: ${line}`);
      const key = `${name}${m[2] ?? ''}`;
      if (out.has(key)) throw new Error(`duplicate sample ${key}`);
      out.set(key, Number(m[3]));
    } else {
      throw new Error(`not Prometheus text: ${JSON.stringify(line)}`);
    }
  }
  return out;
}
