/** A Discord id (snowflake) as the API sends it: a decimal string of 17–20 digits (too big for a JS number). */
export function isSnowflake(value: string): boolean {
  return /^\d{17,20}$/.test(value);
}
