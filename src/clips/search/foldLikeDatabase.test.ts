import { describe, expect, it } from 'vitest';
import { foldLikeDatabase } from './foldLikeDatabase.js';

describe('folding words like the database does', () => {
  it('strips accents from Latin and Greek letters and lowercases', () => {
    expect(foldLikeDatabase('Não')).toBe('nao');
    expect(foldLikeDatabase('CAFÉ')).toBe('cafe');
    expect(foldLikeDatabase('Ελλάδα')).toBe('ελλαδα');
  });

  it('maps the letters unaccent maps and applies NFKC first', () => {
    expect(foldLikeDatabase('Straße')).toBe('strasse');
    expect(foldLikeDatabase('Ødegaard')).toBe('odegaard');
    expect(foldLikeDatabase('Ёлка')).toBe('елка');
    expect(foldLikeDatabase('ＫＥＫＷ')).toBe('kekw');
  });

  it('leaves marks that are part of other scripts alone', () => {
    expect(foldLikeDatabase('がんばれ')).toBe('がんばれ');
    expect(foldLikeDatabase('йога')).toBe('йога');
    expect(foldLikeDatabase('한국어')).toBe('한국어');
  });
});
