// Reference servers run beside ours: the "HTTP floor" (bare node:http answering a JSON POST the
// size of a `stage` reply) and a static-file streamer (the files named on the command line sent
// back to back with createReadStream, as a plain file server would). Plain JS so no loader runs.
import { createReadStream } from 'node:fs';
import http from 'node:http';
import { pipeline } from 'node:stream/promises';

const files = process.argv.slice(2);
const reply = JSON.stringify({ data: { stage: { id: '00000000-0000-4000-8000-000000000000' } } });

const server = http.createServer((req, res) => {
  if (req.method === 'POST') {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply) });
      res.end(reply);
    });
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  void (async () => {
    for (const f of files) await pipeline(createReadStream(f), res, { end: false });
    res.end();
  })().catch(() => res.destroy());
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
