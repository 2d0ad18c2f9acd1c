import { Injectable } from '@nestjs/common';
import { userInfo } from 'node:os';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { PASSWORD_MAX, PASSWORD_MIN } from '../auth/auth.dto';
import { ROLES, Role } from '../auth/roles';
import { UsersService } from '../auth/users.service';
import { USER_NAME_PATTERN } from '../config/mf-config';

/** Thrown for a bad command line or input; main.ts prints the message and exits 2. */
export class UsageError extends Error {}

/** Audit actor of CLI changes: the operating-system account that ran the command. */
function cliActor(): string {
  return `cli:${userInfo().username}`;
}

/** Reads the whole of stdin and drops one trailing line end (`echo pw | npm run user …`). */
export async function readPasswordFromStdin(stdin: NodeJS.ReadableStream = process.stdin) {
  const chunks: Buffer[] = [];
  for await (const c of stdin) {
    chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
    if (chunks.reduce((n, b) => n + b.length, 0) > PASSWORD_MAX + 2) {
      throw new UsageError(`password longer than ${PASSWORD_MAX} characters`);
    }
  }
  const pw = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (pw.length < PASSWORD_MIN) {
    throw new UsageError(`password must have at least ${PASSWORD_MIN} characters`);
  }
  return pw;
}

function checkName(name: string | undefined): string {
  if (!name || !USER_NAME_PATTERN.test(name)) {
    throw new UsageError('--name: letters, digits, ".", "_", "-"; 1..64 characters');
  }
  return name;
}

interface Flags {
  name?: string;
  role?: string;
  passwordStdin?: boolean;
}

abstract class UserSubCommand extends CommandRunner {
  @Option({ flags: '--name <name>', description: 'user name' })
  parseName(v: string): string {
    return v;
  }
}

@Injectable()
@SubCommand({
  name: 'add',
  description: 'create a user (password from stdin, or certificate-only)',
})
export class UserAddCommand extends UserSubCommand {
  constructor(private readonly users: UsersService) {
    super();
  }

  @Option({ flags: '--role <role>', description: ROLES.join(' | ') })
  parseRole(v: string): string {
    return v;
  }

  @Option({ flags: '--password-stdin', description: 'read the password from standard input' })
  parsePasswordStdin(): boolean {
    return true;
  }

  async run(_: string[], f: Flags): Promise<void> {
    const name = checkName(f.name);
    if (!ROLES.includes(f.role as Role)) throw new UsageError(`--role: one of ${ROLES.join(', ')}`);
    const password = f.passwordStdin ? await readPasswordFromStdin() : null;
    const u = await this.users.create({ name, role: f.role as Role, password }, cliActor());
    process.stdout.write(
      `created ${u.role} ${u.name}${password ? '' : ' (no password: client certificate only)'}\n`,
    );
  }
}

@Injectable()
@SubCommand({ name: 'passwd', description: 'set a user password from stdin' })
export class UserPasswdCommand extends UserSubCommand {
  constructor(private readonly users: UsersService) {
    super();
  }

  async run(_: string[], f: Flags): Promise<void> {
    const name = checkName(f.name);
    await this.users.update(name, { password: await readPasswordFromStdin() }, cliActor());
    process.stdout.write(`password of ${name} changed\n`);
  }
}

@Injectable()
@SubCommand({ name: 'disable', description: 'disable a user (tokens stop working at once)' })
export class UserDisableCommand extends UserSubCommand {
  constructor(private readonly users: UsersService) {
    super();
  }

  async run(_: string[], f: Flags): Promise<void> {
    const name = checkName(f.name);
    await this.users.update(name, { enabled: false }, cliActor());
    process.stdout.write(`${name} disabled\n`);
  }
}

@Injectable()
@SubCommand({ name: 'enable', description: 'enable a user again' })
export class UserEnableCommand extends UserSubCommand {
  constructor(private readonly users: UsersService) {
    super();
  }

  async run(_: string[], f: Flags): Promise<void> {
    const name = checkName(f.name);
    await this.users.update(name, { enabled: true }, cliActor());
    process.stdout.write(`${name} enabled\n`);
  }
}

@Injectable()
@SubCommand({ name: 'list', description: 'list users' })
export class UserListCommand extends CommandRunner {
  constructor(private readonly users: UsersService) {
    super();
  }

  async run(): Promise<void> {
    for (const u of await this.users.list()) {
      process.stdout.write(
        `${u.name}\t${u.role}\t${u.enabled ? 'enabled' : 'disabled'}\t${u.hasPassword ? 'password' : 'certificate-only'}\n`,
      );
    }
  }
}

/** `npm run user -- <add|passwd|disable|enable|list> …`: user administration without the API. */
@Injectable()
@Command({
  name: 'user',
  description: 'manage MF API users',
  subCommands: [
    UserAddCommand,
    UserPasswdCommand,
    UserDisableCommand,
    UserEnableCommand,
    UserListCommand,
  ],
})
export class UserCommand extends CommandRunner {
  run(params: string[]): Promise<void> {
    this.command.outputHelp({ error: true });
    throw new UsageError(params.length ? `unknown command "${params[0]}"` : 'a command is needed');
  }
}
