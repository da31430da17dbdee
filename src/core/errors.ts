/**
 * An error whose message is written for the user, naming the input and the problem. Front ends
 * show it as it is (the CLI prints one line and exits 1); any other error is a bug.
 */
export class UserError extends Error {
  override name = 'UserError';
}
