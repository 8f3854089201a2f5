import { makeCertificates } from "./scripts/services/certificates.ts";
import { startEtcd } from "./scripts/services/etcd.ts";
import { EtcdRegistry } from "./registry/etcd.ts";
import { Buffer } from "node:buffer";
const mode = Deno.args[0];
const dir = await Deno.makeTempDir();
const certs = await makeCertificates(dir);
const etcd = await startEtcd({
  tls: mode.includes("tls") ? certs : undefined,
  rootPassword: mode.includes("auth") ? "pw1" : undefined,
});
const reg = new EtcdRegistry({
  endpoints: [etcd.endpoints],
  auth: mode.includes("auth") ? { username: "root", password: "pw1" } : undefined,
  credentials: mode.includes("tls")
    ? { rootCertificate: Buffer.from(Deno.readFileSync(certs.ca)) }
    : undefined,
});
if (!mode.includes("none")) console.log(await reg.get("a"));
await reg.close();
console.log("stopping");
await etcd.stop();
console.log("stopped");
