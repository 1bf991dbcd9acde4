/**
 * One printable line of at most 200 characters. Names and messages come from the server and
 * from platform scripts' output: control characters could otherwise repaint the terminal.
 */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim()
  return clean.length > 200 ? `${clean.slice(0, 199)}…` : clean
}
