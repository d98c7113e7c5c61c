import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Put, Res } from '@nestjs/common';
import { actorFromHeaders, principalName } from '@flowforge/access';
import { putSqlTemplateRequest, sqlTemplateNameParam, type PutSqlTemplateRequest } from '@flowforge/http';
import { FlowForgeError, ZodPipe, type HttpResponse } from '@flowforge/service-kit';
import { SqlChecks } from '../query/sql.checks';
import { SqlTemplateStore, type SqlTemplateView } from './sql-template.store';

type Headers_ = Record<string, string | string[] | undefined>;
const nameParam = new ZodPipe(sqlTemplateNameParam, 'name');

/** Saved SQL templates; the gateway forwards /api/v1/sql/templates here (job:view / job:edit / job:delete checked there). */
@Controller('internal/transformation/sql/templates')
export class SqlTemplatesInternalController {
  constructor(
    private readonly templates: SqlTemplateStore,
    private readonly checks: SqlChecks,
  ) {}

  @Get()
  list(): Promise<SqlTemplateView[]> {
    return this.templates.list();
  }

  @Get(':name')
  get(@Param('name', nameParam) name: string): Promise<SqlTemplateView> {
    return this.templates.get(name);
  }

  /** 201 created, 200 replaced; the SQL must pass the sandbox's static rules (one SELECT, lake tables only, declared parameters). */
  @Put(':name')
  async put(
    @Param('name', nameParam) name: string,
    @Body(new ZodPipe(putSqlTemplateRequest)) body: PutSqlTemplateRequest,
    @Headers() headers: Headers_,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<SqlTemplateView> {
    const caller = actorFromHeaders(headers);
    // The gateway checked job:edit; a template that does not exist yet also needs job:create.
    if (caller.permissions != null && !caller.permissions.includes('job:create') && !(await this.templates.exists(name))) {
      throw new FlowForgeError(
        'FF_FORBIDDEN',
        403,
        'Forbidden',
        `SQL template "${name}" does not exist and creating one needs job:create, which the caller does not hold`,
      );
    }
    await this.checks.checkTemplate(body);
    const { created, template } = await this.templates.put(name, body, principalName(caller));
    res.statusCode = created ? 201 : 200;
    return template;
  }

  @Delete(':name')
  @HttpCode(204)
  async remove(@Param('name', nameParam) name: string): Promise<void> {
    await this.templates.delete(name);
  }
}
