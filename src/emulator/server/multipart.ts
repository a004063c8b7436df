// Minimal multipart/form-data reader for the job-create-with-data variant (two small parts).
export interface Part {
  readonly name: string;
  readonly filename?: string;
  readonly contentType?: string;
  readonly body: Buffer;
}

export function boundaryOf(contentType: string): string | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** Splits a multipart body into parts; throws on a malformed body. */
export function parseMultipart(body: Buffer, boundary: string): Part[] {
  const delim = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delim);
  if (pos < 0) throw new Error('multipart body has no boundary line');
  for (;;) {
    pos += delim.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break; // closing delimiter
    if (body[pos] === 0x0d) pos++;
    if (body[pos] === 0x0a) pos++;
    const next = body.indexOf(delim, pos);
    if (next < 0) throw new Error('multipart body is not closed');
    let end = next;
    if (body[end - 1] === 0x0a) end--;
    if (body[end - 1] === 0x0d) end--;
    const chunk = body.subarray(pos, end);
    let sep = chunk.indexOf('\r\n\r\n');
    let sepLen = 4;
    if (sep < 0) {
      sep = chunk.indexOf('\n\n');
      sepLen = 2;
    }
    if (sep < 0) throw new Error('multipart part has no header block');
    const headers = chunk.subarray(0, sep).toString('utf8').split(/\r?\n/);
    const disposition = headers.find((h) => /^content-disposition:/i.test(h)) ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (!name) throw new Error('multipart part has no name');
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    const ct = headers.find((h) => /^content-type:/i.test(h))?.replace(/^content-type:\s*/i, '');
    parts.push({ name, filename, contentType: ct, body: chunk.subarray(sep + sepLen) });
    pos = next;
  }
  return parts;
}
