// Files a petition as a scripted citizen against the independent
// telegram-test-api emulator (see ../../docs/telegram.md §9 for its quirks),
// with the real danvan binary polling it. Usage:
//   node check.mjs /path/to/danvan
// It starts the emulator and the bot (private PostgreSQL in a temporary
// directory unless DATABASE_URL is set) and exits non-zero on failure.
import { spawn } from 'node:child_process';
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import TelegramServer from 'telegram-test-api';

const binary = process.argv[2];
const port = 9000 + Math.floor(Math.random() * 900);
const token = '123456:emulator-check';
const url = `http://127.0.0.1:${port}`;
const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 600 });
await server.start();

const dataDir = mkdtempSync(join(tmpdir(), 'danvan-emu-'));
chmodSync(dataDir, 0o755); // the private PostgreSQL runs as "postgres" under root
const bot = spawn(binary, ['run'], {
  env: {
    ...process.env, TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_URL: url,
    DANVAN_DATA_DIR: dataDir, LISTEN_ADDR: '127.0.0.1:0', LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});

const client = server.getClient(token, { userId: 7001, chatId: 7001, firstName: 'Lan', timeout: 15000 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The bot's messages to our chat, in their current state after edits.
async function botMessages() {
  const res = await fetch(`${url}/getUpdatesHistory`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }),
  });
  const body = await res.json();
  // Bot messages carry chat_id (user messages carry chat); the id the bot
  // must use to edit one is the entry's messageId.
  return (body.result || [])
    .filter((e) => e.message && String(e.message.chat_id) === '7001')
    .map((e) => ({ ...e.message, message_id: e.messageId }));
}

async function waitFor(text, seen) {
  for (let i = 0; i < 150; i++) {
    const msgs = await botMessages();
    const hit = msgs.find((m) => m.text && m.text.includes(text) && !seen.has(`${m.message_id}:${m.text}`));
    if (hit) { seen.add(`${hit.message_id}:${hit.text}`); return hit; }
    await sleep(100);
  }
  throw new Error(`no bot message containing ${JSON.stringify(text)}`);
}

function button(msg, label) {
  const rows = (msg.reply_markup && msg.reply_markup.inline_keyboard) || [];
  for (const row of rows) for (const b of row) if (b.text.includes(label)) return b.callback_data;
  throw new Error(`no button ${label} on ${JSON.stringify(msg.text)}`);
}

const seen = new Set();
async function press(msg, label, expect) {
  await client.sendCallback(client.makeCallbackQuery(button(msg, label), { message: { message_id: msg.message_id } }));
  return waitFor(expect, seen);
}

let status = 0;
try {
  await sleep(1500);
  await client.sendCommand(client.makeCommand('/start'));
  let m = await waitFor('Xin chào', seen);
  m = await press(m, 'Gửi phản ánh', 'loại nội dung');
  m = await press(m, 'Phản ánh', 'lĩnh vực');
  m = await press(m, 'Môi trường', 'xảy ra ở đâu');
  await client.sendMessage(client.makeMessage(undefined, { location: { latitude: 16.03, longitude: 108.22 } }));
  await waitFor('mô tả sự việc', seen);
  await client.sendMessage(client.makeMessage('Rác thải tồn đọng ở kiệt 25 Núi Thành nhiều ngày'));
  m = await waitFor('gửi ảnh', seen);
  m = await press(m, 'Bỏ qua', 'số điện thoại');
  await client.sendMessage(client.makeMessage('Bỏ qua'));
  m = await waitFor('giữ bí mật', seen);
  m = await press(m, 'Không cần', 'kiểm tra lại');
  m = await press(m, 'Gửi phản ánh', 'PA-');
  const code = m.text.match(/PA-\d{4}-\d{6}/)[0];
  await client.sendCommand(client.makeCommand(`/status ${code}`));
  await waitFor('Quá trình xử lý', seen);
  console.log(`OK: petition ${code} filed through telegram-test-api`);
} catch (err) {
  console.error('FAILED:', err.message);
  for (const msg of await botMessages()) console.error(' bot:', JSON.stringify(msg.text));
  status = 1;
} finally {
  bot.kill('SIGTERM');
  await new Promise((r) => bot.on('exit', r));
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(status);
