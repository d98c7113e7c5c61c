import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Res } from '@nestjs/common';
import type { Actor } from '@flowforge/access';
import { ZodPipe, type HttpResponse } from '@flowforge/service-kit';
import type { z } from 'zod';
import { UsersService, type UserView } from '../accounts/users.service';
import { RolesService, type RoleView } from '../roles/roles.service';
import { LoginService, type SessionView } from '../sessions/login.service';
import { CallingActor } from './actor.decorator';
import { createUserRequest, putRoleRequest, setPasswordRequest, updateUserRequest, uuidParam } from '@flowforge/http';

/** Users and roles (the gateway guards these with settings:manage-users). */
@Controller('internal/auth')
export class AdminInternalController {
  constructor(
    private readonly users: UsersService,
    private readonly roles: RolesService,
    private readonly login: LoginService,
  ) {}

  @Get('users')
  listUsers(): Promise<UserView[]> {
    return this.users.list();
  }

  @Post('users')
  createUser(@Body(new ZodPipe(createUserRequest)) body: z.infer<typeof createUserRequest>, @CallingActor() actor: Actor): Promise<UserView> {
    return this.users.create(body, actor);
  }

  @Get('users/:id')
  getUser(@Param('id', uuidParam()) id: string): Promise<UserView> {
    return this.users.get(id);
  }

  @Patch('users/:id')
  updateUser(
    @Param('id', uuidParam()) id: string,
    @Body(new ZodPipe(updateUserRequest)) body: z.infer<typeof updateUserRequest>,
    @CallingActor() actor: Actor,
  ): Promise<UserView> {
    return this.users.update(id, body, actor);
  }

  @Delete('users/:id')
  @HttpCode(204)
  async deleteUser(@Param('id', uuidParam()) id: string, @CallingActor() actor: Actor): Promise<void> {
    await this.users.delete(id, actor);
  }

  @Post('users/:id/password')
  @HttpCode(200)
  setPassword(
    @Param('id', uuidParam()) id: string,
    @Body(new ZodPipe(setPasswordRequest)) body: z.infer<typeof setPasswordRequest>,
    @CallingActor() actor: Actor,
  ): Promise<UserView> {
    return this.users.adminSetPassword(id, body.password, body.temporary, actor);
  }

  @Post('users/:id/unlock')
  @HttpCode(200)
  unlock(@Param('id', uuidParam()) id: string, @CallingActor() actor: Actor): Promise<UserView> {
    return this.users.unlock(id, actor);
  }

  @Get('users/:id/sessions')
  async userSessions(@Param('id', uuidParam()) id: string): Promise<SessionView[]> {
    await this.users.get(id);
    return this.login.sessionsOf(id, null);
  }

  @Delete('users/:id/sessions/:sessionId')
  @HttpCode(204)
  async revokeUserSession(
    @Param('id', uuidParam()) id: string,
    @Param('sessionId', uuidParam('sessionId')) sessionId: string,
    @CallingActor() actor: Actor,
  ): Promise<void> {
    await this.login.revokeSession(id, sessionId, actor);
  }

  @Get('roles')
  listRoles(): Promise<RoleView[]> {
    return this.roles.list();
  }

  @Get('roles/:name')
  getRole(@Param('name') name: string): Promise<RoleView> {
    return this.roles.get(name);
  }

  @Put('roles/:name')
  async putRole(
    @Param('name') name: string,
    @Body(new ZodPipe(putRoleRequest)) body: z.infer<typeof putRoleRequest>,
    @CallingActor() actor: Actor,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<RoleView> {
    const { role, created } = await this.roles.put(name, body, actor);
    res.statusCode = created ? 201 : 200;
    return role;
  }

  @Delete('roles/:name')
  @HttpCode(204)
  async deleteRole(@Param('name') name: string, @CallingActor() actor: Actor): Promise<void> {
    await this.roles.delete(name, actor);
  }
}
