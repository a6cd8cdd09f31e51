// The image property os_command_line (nova-docker's convention) as an argv, with shell-like quoting.
/** os_command_line "sh -c 'sleep 1'" → ["sh", "-c", "sleep 1"] (simple shell-like quoting). */
export function splitCommand(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:\\.|[^"\\])*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)))
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2] !== undefined ? m[2] : m[3]);
  return out;
}
