import Link from "next/link";

export const metadata = { title: "Not found" };

// Deliberately says nothing about what was asked for: a hidden patient and a missing one look the same.
export default function NotFound() {
  return (
    <div className="narrow">
      <h1>Not found</h1>
      <p>There is nothing here, or you do not have access to it.</p>
      <p>
        <Link href="/">Go to your home page</Link>
      </p>
    </div>
  );
}
