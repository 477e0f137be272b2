// The CSV import page: sends the file to POST /api/v1/businesses/import and follows its NDJSON answer, a progress line
// per batch of rows and then the summary, to move the progress bar and list the rejected lines as they come.
// The session cookie authenticates the request; the CSRF value from the page proves it came from our page.
const form = document.getElementById('import-form');
const words = {
  id: {
    rows: 'baris',
    imported: 'baru',
    updated: 'diperbarui',
    rejected: 'ditolak',
    line: 'Baris',
    done: 'Selesai',
    failed: 'Impor gagal',
  },
  en: {
    rows: 'rows',
    imported: 'new',
    updated: 'updated',
    rejected: 'rejected',
    line: 'Line',
    done: 'Done',
    failed: 'Import failed',
  },
}[form.dataset.lang === 'en' ? 'en' : 'id'];

function counts(p) {
  return `${p.rows ?? ''} ${words.rows}: ${p.imported} ${words.imported}, ${p.updated} ${words.updated}, ${p.rejected} ${words.rejected}`;
}

function listRejected(rejected) {
  const box = document.getElementById('import-rejected');
  box.replaceChildren();
  if (rejected.length === 0) return;
  const heading = document.createElement('h2');
  heading.textContent = `${rejected.length} ${words.rejected}`;
  const list = document.createElement('ul');
  list.id = 'rejected-lines';
  for (const r of rejected) {
    const item = document.createElement('li');
    // textContent, never innerHTML: a reason quotes the file's own text.
    item.textContent = `${words.line} ${r.line}: ${r.reason}`;
    list.append(item);
  }
  box.append(heading, list);
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const file = form.querySelector('input[type="file"]').files[0];
  if (!file) return;
  const button = form.querySelector('button');
  button.disabled = true;
  const status = document.getElementById('import-status');
  const bar = document.getElementById('import-progress');
  const text = document.getElementById('import-counts');
  status.hidden = false;
  bar.value = 0;
  // Data lines in the file, for the bar's length: the stream counts rows, not bytes.
  const total = Math.max(1, (await file.text()).split(/\r?\n/).filter((l) => l.trim() !== '').length - 1);
  try {
    const response = await fetch(form.dataset.action, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', accept: 'application/x-ndjson', 'x-csrf-token': form.dataset.csrf },
      body: file,
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      text.textContent = `${words.failed}: ${problem.detail ?? response.status}`;
      return;
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines.filter(Boolean)) {
        const message = JSON.parse(line);
        if (message.type === 'progress') {
          bar.value = Math.min(100, Math.round((message.rows / total) * 100));
          text.textContent = counts(message);
        } else if (message.type === 'summary') {
          bar.value = 100;
          text.textContent = `${words.done}. ${counts({ ...message, rows: total, rejected: message.rejected.length })}`;
          listRejected(message.rejected);
        } else if (message.type === 'error') {
          text.textContent = message.detail;
        }
      }
    }
  } catch (err) {
    text.textContent = `${words.failed}: ${err.message}`;
  } finally {
    button.disabled = false;
  }
});
