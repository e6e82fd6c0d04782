import { parseArgs } from 'node:util';

/** The command line of `bench:chat`. */
export interface Options {
  readonly sessions: number;
  readonly seconds: number;
  readonly throttle: number;
  readonly rate: number;
  readonly baselineSeconds: number;
  readonly seed: number;
}

export function options(): Options {
  // `npx projen bench:chat -- --rate 2` passes the `--` on: a leading one is dropped, so both forms work.
  const args = process.argv.slice(2);
  const { values } = parseArgs({
    args: args[0] === '--' ? args.slice(1) : args,
    options: {
      'sessions': { type: 'string', default: '100' },
      'seconds': { type: 'string', default: '60' },
      'throttle': { type: 'string', default: '0.2' },
      'rate': { type: 'string', default: '100' },
      'baseline-seconds': { type: 'string', default: '20' },
      'seed': { type: 'string', default: '1' },
    },
  });
  const number = (name: keyof typeof values, min: number, max: number, integer = false) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, not ${values[name]}`);
    }
    return value;
  };
  return {
    sessions: number('sessions', 1, 2000, true),
    seconds: number('seconds', 1, 3600),
    throttle: number('throttle', 0, 1),
    rate: number('rate', 0.1, 5000),
    baselineSeconds: number('baseline-seconds', 0, 3600),
    seed: number('seed', 0, 2 ** 31, true),
  };
}
