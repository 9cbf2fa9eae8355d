// Verifies webhook requests with the Standard Webhooks reference library (not mailroute's code).
// Reads a JSON array of {secret, id, timestamp, signature, body} on stdin; prints a JSON array with,
// for each, "ok" or the library's reason for refusing it.
import { Webhook } from "standardwebhooks";

let input = "";
for await (const chunk of process.stdin) {
  input += chunk;
}
const results = JSON.parse(input).map((r) => {
  try {
    new Webhook(r.secret).verify(r.body, {
      "webhook-id": r.id,
      "webhook-timestamp": r.timestamp,
      "webhook-signature": r.signature,
    });
    return "ok";
  } catch (e) {
    return String(e.message || e);
  }
});
process.stdout.write(JSON.stringify(results));
