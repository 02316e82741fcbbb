/**
 * Default for `[DEFAULT] state_path`. Neutron uses /var/lib/neutron; Neutrino also runs
 * unprivileged (developers, tests), where it follows the XDG Base Directory spec:
 *   root (uid 0)            → /var/lib/neutrino
 *   $XDG_STATE_HOME set     → $XDG_STATE_HOME/neutrino   (only if absolute, per the spec)
 *   otherwise               → $HOME/.local/state/neutrino
 */
import { posix } from 'node:path';
import type { DefaultContext } from './opts.js';

export const STATE_PATH_DOC = '/var/lib/neutrino as root, else $XDG_STATE_HOME/neutrino or ~/.local/state/neutrino';

export function defaultStatePath(ctx: DefaultContext): string {
  if (ctx.uid === 0) return '/var/lib/neutrino';
  const xdg = ctx.env.XDG_STATE_HOME;
  if (xdg !== undefined && posix.isAbsolute(xdg)) return posix.join(xdg, 'neutrino');
  const home = ctx.env.HOME !== undefined && ctx.env.HOME !== '' ? ctx.env.HOME : ctx.homedir;
  return posix.join(home, '.local', 'state', 'neutrino');
}
