/**
 * A throwaway certificate authority and the certificates a test needs for TLS to Kafka and etcd,
 * made with `openssl` (Debian's openssl) into a folder: a CA, a server certificate for 127.0.0.1
 * and localhost, and a client certificate, each key PKCS#8 PEM without a pass phrase.
 *
 * @module
 */

import { join } from "node:path";
import { runTool } from "./service_process.ts";

/** The PEM files made, by absolute path. */
export interface Certificates {
  /** The CA's certificate: what clients and servers trust. */
  ca: string;
  serverCert: string;
  serverKey: string;
  /** The server's key followed by its certificate (Kafka's PEM key store). */
  serverKeyStore: string;
  clientCert: string;
  clientKey: string;
}

/** How long the certificates are valid: a test's lifetime, with room. */
const DAYS = "2";

/** Makes a CA and a server and a client certificate signed by it, in `dir`. */
export async function makeCertificates(dir: string): Promise<Certificates> {
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => runTool("openssl", args, "openssl", { cwd: dir });
  await openssl(
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    at("ca.key"),
    "-out",
    at("ca.pem"),
    "-days",
    DAYS,
    "-subj",
    "/CN=retune-test-ca",
  );
  await signed(openssl, at, "server", "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  await signed(openssl, at, "client", "extendedKeyUsage=clientAuth\n");
  const keyStore = at("server-keystore.pem");
  await Deno.writeTextFile(
    keyStore,
    (await Deno.readTextFile(at("server.key"))) + (await Deno.readTextFile(at("server.pem"))),
  );
  return {
    ca: at("ca.pem"),
    serverCert: at("server.pem"),
    serverKey: at("server.key"),
    serverKeyStore: keyStore,
    clientCert: at("client.pem"),
    clientKey: at("client.key"),
  };
}

/** A key and a certificate `<name>.key`, `<name>.pem` signed by the CA, with `extensions`. */
async function signed(
  openssl: (...args: string[]) => Promise<string>,
  at: (name: string) => string,
  name: string,
  extensions: string,
): Promise<void> {
  await Deno.writeTextFile(at(`${name}.ext`), extensions);
  await openssl(
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    at(`${name}.key`),
    "-out",
    at(`${name}.csr`),
    "-subj",
    `/CN=${name === "server" ? "localhost" : "retune"}`,
  );
  await openssl(
    "x509",
    "-req",
    "-in",
    at(`${name}.csr`),
    "-CA",
    at("ca.pem"),
    "-CAkey",
    at("ca.key"),
    "-CAcreateserial",
    "-out",
    at(`${name}.pem`),
    "-days",
    DAYS,
    "-extfile",
    at(`${name}.ext`),
  );
}
