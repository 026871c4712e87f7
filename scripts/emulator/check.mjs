// Plays the whole loop against the independent telegram-test-api emulator
// (its quirks: no files, getUpdates ignores offset and timeout, edits answer
// null, unsupported methods answer HTTP 500), with the real danvan binary
// polling it: the sample organisation is imported, an officer is invited
// and joins, a citizen files a petition with a location, the officer
// accepts and answers, the citizen rates it, and `danvan ticket show -json`
// shows every step. Usage:
//   node check.mjs /path/to/danvan
// It starts the emulator and the bot (private PostgreSQL in a temporary
// directory unless DATABASE_URL is set) and exits non-zero on failure.
import { spawn, execFileSync } from 'node:child_process';
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
const env = {
  ...process.env, TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_URL: url,
  DANVAN_DATA_DIR: dataDir, LISTEN_ADDR: '127.0.0.1:0', LOG_LEVEL: 'warn',
};
const danvan = (...args) => execFileSync(binary, args, { env, encoding: 'utf8' });
danvan('admin', 'import', new URL('../../examples/org.yaml', import.meta.url).pathname);
const inviteCode = danvan('admin', 'invite', '-unit', 'ubnd-hoa-cuong', '-role', 'officer').match(/code: (\S+)/)[1];
const bot = spawn(binary, ['run'], { env, stdio: ['ignore', 'inherit', 'inherit'] });

const client = server.getClient(token, { userId: 7001, chatId: 7001, firstName: 'Lan', timeout: 15000 });
const officer = server.getClient(token, { userId: 7002, chatId: 7002, firstName: 'Hùng', timeout: 15000 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The bot's messages to our chat, in their current state after edits.
async function botMessages(chat = '7001') {
  const res = await fetch(`${url}/getUpdatesHistory`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }),
  });
  const body = await res.json();
  // Bot messages carry chat_id (user messages carry chat); the id the bot
  // must use to edit one is the entry's messageId.
  return (body.result || [])
    .filter((e) => e.message && String(e.message.chat_id) === chat)
    .map((e) => ({ ...e.message, message_id: e.messageId }));
}

async function waitFor(text, seen, chat = '7001') {
  for (let i = 0; i < 150; i++) {
    const msgs = await botMessages(chat);
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
async function press(msg, label, expect, who = client, chat = '7001') {
  await who.sendCallback(who.makeCallbackQuery(button(msg, label), { message: { message_id: msg.message_id } }));
  return waitFor(expect, seen, chat);
}

let status = 0;
try {
  await sleep(1500);
  await officer.sendCommand(officer.makeCommand(`/join ${inviteCode}`));
  await waitFor('Đồng chí đã được ghi nhận', seen, '7002');
  await client.sendCommand(client.makeCommand('/start'));
  let m = await waitFor('Xin chào', seen);
  m = await press(m, 'Gửi phản ánh', 'loại nội dung');
  m = await press(m, 'Phản ánh', 'lĩnh vực');
  m = await press(m, 'Môi trường', 'xảy ra ở đâu');
  // The sample's Hòa Cường ward centre: the location picks the ward.
  await client.sendMessage(client.makeMessage(undefined, { location: { latitude: 16.0380, longitude: 108.2130 } }));
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

  let card = await waitFor(code, seen, '7002');
  await press(card, 'Tiếp nhận', 'tiếp nhận và đang xử lý', officer, '7001');
  await press(card, 'Trả lời', 'nhập nội dung trả lời', officer, '7002');
  await officer.sendMessage(officer.makeMessage('Đã thu gom rác, cảm ơn Ông/Bà đã phản ánh.'));
  m = await waitFor('Đã thu gom rác', seen);
  await press(m, 'Rất hài lòng', 'Cảm ơn Ông/Bà đã đánh giá');
  bot.kill('SIGTERM');
  await new Promise((r) => bot.on('exit', r));
  const shown = JSON.parse(danvan('ticket', 'show', code, '-json'));
  const kinds = shown.events.map((e) => e.kind).join(' ');
  if (kinds !== 'created accepted answered rated' || shown.unit !== 'ubnd-hoa-cuong' || shown.rating !== 5) {
    throw new Error(`ticket show: unit ${shown.unit}, rating ${shown.rating}, events ${kinds}`);
  }
  console.log(`OK: officer accepted and answered, citizen rated 5; ticket show -json: ${kinds}`);
} catch (err) {
  console.error('FAILED:', err.message);
  for (const msg of await botMessages()) console.error(' bot:', JSON.stringify(msg.text));
  status = 1;
} finally {
  if (bot.exitCode === null) {
    bot.kill('SIGTERM');
    await new Promise((r) => bot.on('exit', r));
  }
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(status);
