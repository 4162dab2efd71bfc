// Starts @vercel/cosmosdb-server (TLS, its self-signed certificate) on 127.0.0.1:<port>.
// One fix on the way: the emulator's point-read handler checks the partition key itself, wrongly:
// a missing document makes it answer 500 (Cosmos DB answers 404) and a nested partition key path
// (/customer/id) is never found. Point reads go to its lookup by id and partition key instead, the
// one its batches and writes use. Nothing else is changed.
"use strict";
const path = require("path");
const lib = path.join(process.env.COSMOSDB_SERVER_DIR, "lib");
const readDocument = require(path.join(lib, "handler", "read-document"));
const original = readDocument.default;
readDocument.default = (account, req, res, params) => {
  // The handler's own partition check is what fails; the header makes it go straight to the
  // lookup by id and partition key (the same one batches and other operations use).
  req.headers["x-ms-documentdb-query-enablecrosspartition"] = "true";
  return original(account, req, res, params);
};
const { createHttpsServer } = require(lib);
const port = parseInt(process.argv[2], 10);
const server = createHttpsServer().listen(port, "127.0.0.1", () => {
  console.log(`ready on ${server.address().port}`);
});
