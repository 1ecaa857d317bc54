/**
 * corruptPem alters one base64 character of the first certificate's outer length, as a
 * hand edit or a bad copy does: the PEM frame stays intact, and no parser can read the DER
 * (`sed 's/A/B/2'` does the same, but where it lands depends on the certificate).
 */
export const corruptPem = (pem: string) =>
  pem.replace(/(-----\n...)(.)/, (_all, head: string, char: string) => head + (char === 'A' ? 'B' : 'A'));
