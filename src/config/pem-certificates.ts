import { X509Certificate } from 'node:crypto';

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const codeOf = (error: unknown) => (error as { code?: unknown }).code ?? 'error';

/**
 * certificateBundleProblems names what is wrong with a PEM bundle of CA certificates (a
 * client CA of the web config, --tensorpix.ca-file): none in it, or one that cannot be
 * read. OpenSSL skips such a certificate without a word, so a bundle that passed would then
 * trust less than it says, and every handshake it was meant for would fail. `where` names
 * the bundle; problems never repeat what it holds.
 */
export function certificateBundleProblems(text: string, where: string): string[] {
  const blocks = text.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) return [`${where} holds no PEM certificate`];
  return blocks.flatMap((block, index) => {
    try {
      new X509Certificate(block);
      return [];
    } catch (error) {
      return [`${where}: certificate ${index + 1} cannot be read (${codeOf(error)})`];
    }
  });
}
