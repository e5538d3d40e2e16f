import { describe, expect, it } from 'vitest';
import { graphqlWsUrl } from './ws-client';

describe('graphqlWsUrl', () => {
  it('uses ws: on http and wss: on https, on the page origin', () => {
    expect(graphqlWsUrl({ protocol: 'http:', host: 'localhost:5173' })).toBe('ws://localhost:5173/graphql');
    expect(graphqlWsUrl({ protocol: 'https:', host: 'stage.example.org' })).toBe('wss://stage.example.org/graphql');
  });
});
