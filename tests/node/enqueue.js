// Enqueue tickets for the Python triage worker from Node.js with celery-node (Celery protocol v2, JSON).
// Usage: node enqueue.js REDIS_URL QUEUE < tickets.json   (a JSON array of ticket objects)
// The first ticket goes as triage.ingest, the rest as one triage.ingest_many. Prints the task ids.
"use strict";
const fs = require("fs");
const celery = require("celery-node");

async function main() {
  const [broker, queue] = process.argv.slice(2);
  if (!broker || !queue) throw new Error("usage: node enqueue.js REDIS_URL QUEUE < tickets.json");
  const tickets = JSON.parse(fs.readFileSync(0, "utf8"));
  const client = celery.createClient(broker, broker, queue);
  await client.isReady();
  const ids = [];
  ids.push(client.createTask("triage.ingest").applyAsync([tickets[0]]).taskId);
  if (tickets.length > 1) {
    ids.push(client.createTask("triage.ingest_many").applyAsync([tickets.slice(1)]).taskId);
  }
  // celery-node publishes after its own readiness promise; give those LPUSHes their turn, then QUIT
  // (ioredis sends QUIT after every queued command).
  await client.isReady();
  await new Promise((resolve) => setTimeout(resolve, 200));
  await client.disconnect();
  process.stdout.write(JSON.stringify({ sent: ids }) + "\n");
}

main().catch((err) => {
  process.stderr.write(String((err && err.stack) || err) + "\n");
  process.exit(1);
});
