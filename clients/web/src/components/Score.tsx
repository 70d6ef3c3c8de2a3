/** A predicted liking from 0 to 1, shown as a percentage match. */
export function Score({ value, label = "match" }: { value: number | null | undefined; label?: string }) {
  if (value === null || value === undefined) return null;
  return (
    <span className="score" data-testid="personal-score" title={`Predicted for you: ${value.toFixed(3)}`}>
      {Math.round(value * 100)}% {label}
    </span>
  );
}
