import { describe, expect, it } from '@jest/globals';
import { negotiate } from './content-negotiation.js';

const OFFERS = ['application/json', 'text/html'] as const;

describe('negotiate', () => {
  it.each([
    [undefined, 'application/json'],
    ['', 'application/json'],
    ['text/html', 'text/html'],
    ['application/json', 'application/json'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'text/html'],
    ['application/json;q=0.1, text/html;q=0.9', 'text/html'],
    ['text/html;q=0.1, application/json;q=0.9', 'application/json'],
    ['text/html;q=0', 'application/json'],
    ['text/html;q=0, */*', 'application/json'],
    ['*/*', 'application/json'],
    ['text/*', 'text/html'],
    ['text/*;q=0.5, application/*;q=0.4', 'text/html'],
    ['text/html, application/json', 'application/json'],
    ['application/xml', 'application/json'],
    ['TEXT/HTML', 'text/html'],
    ['text/html;level=1;q=0.7, application/json;q=0.5', 'text/html'],
    ['text/html;q=abc, application/json', 'application/json'],
    ['garbage', 'application/json'],
    ['text/html;q=2, application/json', 'application/json'],
    ['text/html;q=-1', 'application/json'],
  ])('answers Accept %p with %s', (accept, expected) => {
    expect(negotiate(accept, OFFERS)).toBe(expected);
  });
});
