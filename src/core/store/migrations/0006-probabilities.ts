import type { Migration } from './types';

/**
 * What a prediction knows beyond its label: the probability of the positive label (from the model's
 * label-token distribution, an imported `probability` column, or the baseline's own score; null when
 * there is none, so runs without one are never mistaken for 0.5), the thought segment of reasoning
 * models with its token count kept apart from the answer's, and which decoding path produced the
 * answer (so speed figures and failures can be traced to it). Added columns only: every existing row
 * stays as it was, with null / 0 in the new columns.
 */
export const migration0006: Migration = {
  version: 6,
  name: 'probabilities',
  up(db) {
    for (const table of ['predictions', 'prediction_samples']) {
      db.exec(`
        ALTER TABLE ${table} ADD COLUMN probability REAL CHECK (probability IS NULL OR (probability >= 0 AND probability <= 1));
        ALTER TABLE ${table} ADD COLUMN thinking TEXT;
        ALTER TABLE ${table} ADD COLUMN thinking_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE ${table} ADD COLUMN answer_path TEXT;
      `);
    }
  },
};
