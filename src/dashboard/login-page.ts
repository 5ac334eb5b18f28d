/** The page a browser gets when the gateway has an API key and the browser has no session cookie yet. */
export function loginPage(failed: boolean): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchyard: sign in</title>
<link rel="stylesheet" href="/dashboard/static/dashboard.css">
</head>
<body class="login">
<form method="post" action="/dashboard/login" class="login-form">
  <h1>Switchyard</h1>
  <p>This gateway has an API key. Enter it to open the dashboard.</p>
  ${failed ? '<p class="login-error" role="alert">That key is not the gateway\'s key.</p>' : ""}
  <label for="key">API key</label>
  <input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
  <button type="submit">Sign in</button>
</form>
</body>
</html>
`;
}
