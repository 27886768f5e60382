/**
 * ibantools ships ESM type declarations with a CommonJS build; under `module: node16` a static import from our
 * CommonJS output is rejected, so the CommonJS build is loaded through `require` with the slice of its API we use.
 */
interface IbanTools {
  isValidIBAN(iban: string): boolean;
  getCountrySpecifications(): Record<string, { chars: number | null }>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ibantools = require('ibantools') as IbanTools;

export const isValidIBAN: (iban: string) => boolean = ibantools.isValidIBAN;
export const getCountrySpecifications: IbanTools['getCountrySpecifications'] = ibantools.getCountrySpecifications;
