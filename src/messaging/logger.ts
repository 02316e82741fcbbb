/** What the messaging layer logs through; any leveled logger with these methods fits (no import outside the folder). */
export interface MessagingLogger {
  debug(msg: string): void
  info(msg: string): void
  warn(msg: string): void
  error(msg: string): void
}
