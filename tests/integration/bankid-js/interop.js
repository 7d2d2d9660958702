// A BankID RP v6 round trip against casestore's simulator, made by the npm package "bankid"
// (github.com/anyfin/bankid): its request bodies, its error mapping, its collect loop and its
// animated-QR generator, none of them ours. Driven by test_identity.py, one JSON line per step.
//
//   node interop.js URL CA_PEM RP_CERT RP_KEY
//
// The package hard-codes BankID's own hosts and reads a PKCS#12 file; the only changes made to
// its client are the base URL and the TLS agent (our CA, our RP certificate as PEM).
"use strict";
const fs = require("fs");
const https = require("https");
const { BankIdClientV6, QrGenerator } = require("bankid");

const [url, caPath, certPath, keyPath] = process.argv.slice(2);
const ca = fs.readFileSync(caPath);

function client(withCert) {
    const c = new BankIdClientV6({ production: false, refreshInterval: 200 });
    c.axios.defaults.baseURL = url.replace(/\/?$/, "/");
    c.axios.defaults.httpsAgent = new https.Agent(
        withCert ? { ca, cert: fs.readFileSync(certPath), key: fs.readFileSync(keyPath) } : { ca });
    return c;
}

function say(step, fields) {
    process.stdout.write(JSON.stringify({ step, ...fields }) + "\n");
}

async function main() {
    const rp = client(true);

    // Without the RP certificate the provider refuses, and the package reports its errorCode.
    try {
        await client(false).authenticate({ endUserIp: "127.0.0.1" });
        say("no-cert", { code: "accepted" });
    } catch (e) {
        say("no-cert", { code: e.code || String(e) });
    }

    // auth, the package's QR code, then collect until the phone has approved.
    const order = await rp.authenticate({ endUserIp: "127.0.0.1", userVisibleData: "Interop" });
    const first = await rp.collect({ orderRef: order.orderRef });
    say("pending", { status: first.status, hintCode: first.hintCode });
    const qr = await QrGenerator.latestQrFromCache(order.orderRef);
    say("qr", { qr });
    const done = await rp.awaitPendingCollect(order.orderRef);
    say("complete", { status: done.status, personalNumber: done.completionData.user.personalNumber,
                      hasSignature: Boolean(done.completionData.signature) });

    // cancel, and what collect says afterwards.
    const other = await rp.authenticate({ endUserIp: "127.0.0.1" });
    await rp.cancel({ orderRef: other.orderRef });
    const after = await rp.collect({ orderRef: other.orderRef });
    say("cancelled", { status: after.status, hintCode: after.hintCode });

    // A malformed order reference: the package surfaces the simulator's errorCode.
    try {
        await rp.collect({ orderRef: "not-an-order" });
        say("bad-order", { code: "accepted" });
    } catch (e) {
        say("bad-order", { code: e.code || String(e) });
    }
    process.exit(0); // the package's QR cache keeps a 60 s timer alive
}

main().catch(e => {
    say("error", { message: String(e && (e.message || e.code) || e) });
    process.exit(1);
});
