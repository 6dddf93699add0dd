// The seed page's Node.js example, as written there, run by tests/clients/test_js_client.py against
// the sandbox: `axiom.ingest(DATASET, [{ foo: 'bar' }]); await axiom.flush();` with the official
// @axiomhq/js (pinned in package-lock.json). Settings come from the environment, never the command
// line: AXIOM_TOKEN, AXIOM_DATASET, and AXIOM_URL (the API host: legacy ingest path) and/or
// AXIOM_EDGE_URL (an edge: /v1/ingest/{dataset}). Prints one JSON line; exits 1 on any error.
import { Axiom } from '@axiomhq/js';

const errors = [];
const options = { token: process.env.AXIOM_TOKEN, onError: (err) => errors.push(String(err)) };
if (process.env.AXIOM_URL) options.url = process.env.AXIOM_URL;
if (process.env.AXIOM_EDGE_URL) options.edgeUrl = process.env.AXIOM_EDGE_URL;
const axiom = new Axiom(options);
const dataset = process.env.AXIOM_DATASET;

axiom.ingest(dataset, [{ foo: 'bar' }]);
axiom.ingest(dataset, [{ n: 1, nested: { ok: true } }, { n: 2, tags: ['a', 'b'] }]);
await axiom.flush();

console.log(JSON.stringify({ errors }));
process.exit(errors.length ? 1 : 0);
