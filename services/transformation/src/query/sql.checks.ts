import { Injectable } from '@nestjs/common';
import type { PutSqlTemplateRequest } from '@flowforge/http';
import { transformSqlInputs, validateSqlTemplate, type SqlParamDecl } from '@flowforge/transform';
import { toProblem } from './query.errors';

/**
 * The static checks of saved SQL (no data needed): the template's shape and parameters (declared = used),
 * then DuckDB's parse tree — exactly one SELECT, lake tables and allowlisted functions only. Tables need not
 * exist yet: a template is checked against the lake when it runs.
 */
@Injectable()
export class SqlChecks {
  async checkTemplate(body: PutSqlTemplateRequest): Promise<void> {
    try {
      validateSqlTemplate({ name: 'template', description: body.description, sql: body.sql, params: body.params });
      await transformSqlInputs({
        sql: body.sql,
        params: body.params as Record<string, SqlParamDecl>,
        target: { layer: 'silver', namespace: 'templates', table: 'check' },
      });
    } catch (err) {
      throw toProblem(err);
    }
  }
}
