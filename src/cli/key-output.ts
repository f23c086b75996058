/**
 * How the CLI shows a key it has just set (create, rotate): the key itself only when Inlet
 * generated it, this once; a key given with --key is never echoed (README: secrets are never
 * printed). One place for the text line and the JSON field, for the Data key and feature keys.
 */

/** The text lines that show a key just set. */
export function keyLines(label: string, key: string, generated: boolean): string {
  return generated
    ? `${label}:  ${key}\n(the key is shown only now)\n`
    : `${label}:  the one given with --key (not shown)\n`
}

/** The JSON field of a key just set: `{ [field]: key }` when generated, nothing otherwise. */
export function keyField(field: string, key: string, generated: boolean): Record<string, string> {
  return generated ? { [field]: key } : {}
}
