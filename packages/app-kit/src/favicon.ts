import type { RequestHandler } from 'express';

/**
 * twohop's icon: two hops, as an SVG. Browsers ask every origin for `/favicon.ico`; they accept an SVG there when
 * the content type says so.
 */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="7" fill="#0f172a"/>
<path d="M5 22 Q10 8 16 22 Q22 8 27 22" fill="none" stroke="#38bdf8" stroke-width="3" stroke-linecap="round"/>
<circle cx="5" cy="22" r="2.5" fill="#f8fafc"/><circle cx="16" cy="22" r="2.5" fill="#f8fafc"/>
<circle cx="27" cy="22" r="2.5" fill="#f8fafc"/>
</svg>
`;

/** Serves `svg` (default {@link FAVICON_SVG}) at `/favicon.ico` and `/favicon.svg`, cached for a day. */
export function faviconHandler(svg: string = FAVICON_SVG): RequestHandler {
  return (_request, response) => {
    response.set('Cache-Control', 'public, max-age=86400').type('image/svg+xml').send(svg);
  };
}
