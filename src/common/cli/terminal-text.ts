/**
 * Text from the data (control names, file contents) made safe for a terminal: C0 and C1 control
 * characters, DEL and the bidirectional overrides are written as `\uXXXX`, so a name cannot move
 * the cursor, recolour the screen or reorder what follows it.
 */
export function terminalText(value: string): string {
  return value.replace(
    /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
