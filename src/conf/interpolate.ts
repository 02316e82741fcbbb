/**
 * oslo.config value substitution (string.Template with oslo's identifier pattern):
 *   $name, ${name}   option `name` of the same section, else of [DEFAULT]
 *   ${section.name}  option of another section (also $section.name)
 *   $$               a literal $
 *   $name.ext        when `name.ext` is no section.option: option `name` followed by `.ext`
 * Any other `$` is an error, as in oslo, so a stray `$` in a password must be written `$$`.
 */

export class InterpolationError extends Error {}

const PLACEHOLDER = /\$(?:(\$)|([_a-z][._a-z0-9]*)|\{([_a-z][._a-z0-9]*)\}|)/gi;

/** Replaces placeholders using `lookup`, which returns undefined for unknown names. */
export function interpolate(text: string, lookup: (name: string) => string | undefined): string {
  if (!text.includes('$')) return text;
  return text.replace(PLACEHOLDER, (match, escaped: string | undefined, named: string | undefined, braced: string | undefined, offset: number) => {
    if (escaped !== undefined) return '$';
    const name = named ?? braced;
    if (name === undefined) {
      throw new InterpolationError(`invalid '$' at position ${offset + 1} (write '$$' for a literal '$')`);
    }
    const value = lookup(name);
    if (value !== undefined) return value;
    // oslo would fail on `$state_path.bak` (read as section.option); we read `$state_path` + `.bak`.
    const dot = name.indexOf('.');
    const head = named !== undefined && dot > 0 ? lookup(name.slice(0, dot)) : undefined;
    if (head !== undefined) return head + name.slice(dot);
    throw new InterpolationError(`unknown option '${match}' referenced in value`);
  });
}
