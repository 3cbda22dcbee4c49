import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { SiteHeader } from "./_components/site-header";
import { getCurrentActor } from "./_lib/get-current-actor";
import "./globals.css";

export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "PulseGuard", template: "%s · PulseGuard" },
  description: "Heart and glucose monitoring for patients and their care teams.",
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const actor = await getCurrentActor();
  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <SiteHeader actor={actor} />
        <main id="main" tabIndex={-1} className="page">
          {children}
        </main>
      </body>
    </html>
  );
}
