/**
 * ISO 4217 minor units (number of decimal places of the currency's smallest unit) for every
 * active code of List One, including the 2024/2025 additions ZWG and XCG and the codes they
 * replace (ZWL, ANG) while those are still in circulation.
 *
 * Codes whose minor unit ISO lists as "N.A." (gold, silver, platinum, palladium, SDR, bond
 * market units, XSU, XUA, XAD, XTS, XXX) are deliberately absent: an amount in them cannot be
 * rounded to a minor unit, so a tariff in them is rejected like an unknown code.
 */
const CODES_BY_MINOR_UNIT: Record<0 | 2 | 3 | 4, string> = {
  0: 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF',
  2:
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD ' +
    'CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL ' +
    'GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD ' +
    'LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN ' +
    'PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB ' +
    'TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL',
  3: 'BHD IQD JOD KWD LYD OMR TND',
  4: 'CLF UYW',
};

const MINOR_UNITS: ReadonlyMap<string, number> = new Map(
  Object.entries(CODES_BY_MINOR_UNIT).flatMap(([unit, codes]) =>
    codes.split(' ').map((code): [string, number] => [code, Number.parseInt(unit, 10)]),
  ),
);

/** The minor unit of an ISO 4217 code (upper case), or undefined if we cannot bill in it. */
export function minorUnitOf(currency: string): number | undefined {
  return MINOR_UNITS.get(currency);
}

/** All codes we bill in, for tests and documentation. */
export function billableCurrencies(): string[] {
  return [...MINOR_UNITS.keys()].sort();
}
