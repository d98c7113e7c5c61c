import { Catch, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's default RPC filter turns any unknown exception into `{ status: 'error', message: 'Internal
 * server error' }`, so the bus would dead-letter with that instead of the real error and its code.
 * This filter hands the original exception back to BusTransport, which gives it to the bus (retry,
 * then DLQ headers with message and code). Register it on the bus microservice:
 * `app.connectMicroservice({ strategy: new BusTransport(bus) }, { deferInitialization: true })
 *   .useGlobalFilters(new BusExceptionFilter())` (without deferInitialization Nest binds the handlers
 * at connect time, before the filter exists).
 */
@Catch()
export class BusExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
