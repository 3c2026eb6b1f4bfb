// How every component refuses a bad argument, for AWS and GCP alike: one line `<Component> <name>: <message>`
// thrown before anything is registered. Pure, so the checks built on it are tested directly.

/** Throws `<Component> <name>: <message>`; returned by `failer` so each check reads as one line. */
export type Fail = (message: string) => never;

export function failer(component: string, name: string): Fail {
  return (message: string): never => {
    throw new Error(`${component} ${name}: ${message}`);
  };
}

/** A value as a message shows it after "got". */
export const show = (value: unknown): string => JSON.stringify(value);

const COMPONENT_NAME = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,23}$/;

/**
 * Refuses a component name that cannot become part of the cloud's resource names: 1-24 lower-case letters,
 * digits and single hyphens, starting with a letter. `because` says where the name ends up.
 */
export function checkComponentName(name: string, because: string, fail: Fail): void {
  if (!COMPONENT_NAME.test(name)) {
    fail(
      `name must be 1-24 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen, because ${because} (got ${show(name)})`,
    );
  }
}

/** Refuses a value that is not a whole number from `min` to `max`, naming the argument. */
export function checkWholeNumber(value: number, min: number, max: number, argument: string, fail: Fail): void {
  if (!Number.isInteger(value) || value < min || value > max)
    fail(`${argument} must be a whole number from ${min} to ${max} (got ${show(value)})`);
}
