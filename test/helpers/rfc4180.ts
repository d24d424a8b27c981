/**
 * A strict RFC 4180 CSV parser for tests: records end with CRLF, fields are either plain (no
 * quote, comma, CR or LF) or quoted with doubled quotes inside; anything else throws. Every
 * record must have as many fields as the header.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let index = 0;
  const fail = (what: string): never => {
    throw new Error(`invalid CSV at offset ${index} (row ${rows.length + 1}): ${what}`);
  };
  while (index < text.length) {
    let field = '';
    if (text[index] === '"') {
      index += 1;
      for (;;) {
        if (index >= text.length) fail('unterminated quoted field');
        const char = text[index]!;
        if (char === '"') {
          if (text[index + 1] === '"') {
            field += '"';
            index += 2;
            continue;
          }
          index += 1;
          break;
        }
        field += char;
        index += 1;
      }
    } else {
      while (index < text.length && text[index] !== ',' && text[index] !== '\r' && text[index] !== '\n') {
        if (text[index] === '"') fail('quote inside an unquoted field');
        field += text[index];
        index += 1;
      }
    }
    row.push(field);
    if (text[index] === ',') {
      index += 1;
    } else if (text.startsWith('\r\n', index)) {
      index += 2;
      rows.push(row);
      row = [];
    } else if (index >= text.length) {
      rows.push(row);
      row = [];
    } else {
      fail(`unexpected ${JSON.stringify(text[index])} after a field (line breaks must be CRLF)`);
    }
  }
  const width = rows[0]?.length ?? 0;
  rows.forEach((entry, number) => {
    if (entry.length !== width) throw new Error(`row ${number + 1} has ${entry.length} fields, the header ${width}`);
  });
  return rows;
}
