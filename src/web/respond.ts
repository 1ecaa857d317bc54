import type { NextFunction, Request, Response } from 'express';

/** text answers a short plain-text message, as Prometheus' own endpoints do. */
export const text = (res: Response, status: number, body: string) =>
  res
    .status(status)
    .type('text/plain')
    .send(body + '\n');

/** onlyMethods answers 405 with an Allow header to any other method. */
export function onlyMethods(methods: readonly string[]) {
  const allow = methods.join(', ');
  return (req: Request, res: Response, next: NextFunction) => {
    if (methods.includes(req.method)) return next();
    res.set('Allow', allow);
    text(res, 405, 'method not allowed');
  };
}
