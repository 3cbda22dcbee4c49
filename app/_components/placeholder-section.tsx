export function PlaceholderSection({ id, title, arrivesWith }: { id: string; title: string; arrivesWith: string }) {
  return (
    <section className="card placeholder" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <p>Not available yet: this section arrives with {arrivesWith}.</p>
    </section>
  );
}
