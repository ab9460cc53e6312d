/**
 * Realistic repository roots with the kind and origin each should get. The detector's tests run
 * every one, and the fake git hosts serve them as repository contents so listings (the sandbox's,
 * the benchmark's) show believable kinds and builder-made apps. `files` is a flat path → content
 * map; folders appear through the paths inside them.
 */
import type { Detection, Origin } from '../store/types.ts';

export interface CorpusFixture {
  name: string;
  files: Record<string, string>;
  expected: Detection;
  /** What the fixture proves, where its name alone does not say it. */
  proves?: string;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

const README = '# Project\n\nSee the docs folder for setup.\n';
const GITIGNORE = 'node_modules\ndist\n.env\n';

const viteReactPkg = {
  name: 'dashboard',
  private: true,
  type: 'module',
  scripts: { dev: 'vite', build: 'tsc -b && vite build', preview: 'vite preview' },
  dependencies: { react: '^18.3.1', 'react-dom': '^18.3.1', 'react-router-dom': '^6.26.0' },
  devDependencies: { '@vitejs/plugin-react': '^4.3.1', typescript: '^5.5.3', vite: '^5.4.1', eslint: '^9.9.0' },
};

const nextPkg = {
  name: 'storefront',
  private: true,
  scripts: { dev: 'next dev', build: 'next build', start: 'next start' },
  dependencies: { next: '14.2.5', react: '^18', 'react-dom': '^18' },
  devDependencies: { typescript: '^5', '@types/react': '^18', eslint: '^8', 'eslint-config-next': '14.2.5' },
};

const springPom = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>3.3.2</version>
  </parent>
  <groupId>com.example</groupId>
  <artifactId>orders</artifactId>
  <dependencies>
    <dependency>
      <groupId>org.springframework.boot</groupId>
      <artifactId>spring-boot-starter-web</artifactId>
    </dependency>
  </dependencies>
</project>
`;

const fixture = (name: string, kind: Detection['kind'], reason: string, files: Record<string, string>): CorpusFixture => ({
  name,
  files,
  expected: { kind, reason, origin: null, origin_reason: null },
});

/** A fixture for origin detection: made with `origin` (the evidence in `originReason`), or with none. */
const builder = (
  name: string,
  kind: Detection['kind'],
  reason: string,
  origin: [Origin, string] | null,
  proves: string,
  files: Record<string, string>,
): CorpusFixture => ({
  name,
  files,
  expected: { kind, reason, origin: origin?.[0] ?? null, origin_reason: origin?.[1] ?? null },
  proves,
});

/** package.json of a project as Lovable creates it (Vite, React, shadcn/ui, and its component tagger). */
const lovablePkg = {
  name: 'vite_react_shadcn_ts',
  private: true,
  version: '0.0.0',
  type: 'module',
  scripts: { dev: 'vite', build: 'vite build', 'build:dev': 'vite build --mode development', lint: 'eslint .', preview: 'vite preview' },
  dependencies: {
    '@hookform/resolvers': '^3.9.0',
    '@radix-ui/react-dialog': '^1.1.2',
    '@radix-ui/react-slot': '^1.1.0',
    '@supabase/supabase-js': '^2.50.0',
    '@tanstack/react-query': '^5.56.2',
    'class-variance-authority': '^0.7.1',
    clsx: '^2.1.1',
    'lucide-react': '^0.462.0',
    react: '^18.3.1',
    'react-dom': '^18.3.1',
    'react-router-dom': '^6.26.2',
    'tailwind-merge': '^2.5.2',
  },
  devDependencies: {
    '@vitejs/plugin-react-swc': '^3.5.0',
    autoprefixer: '^10.4.20',
    eslint: '^9.9.0',
    'lovable-tagger': '^1.1.7',
    tailwindcss: '^3.4.11',
    typescript: '^5.5.3',
    vite: '^5.4.1',
  },
};

const LOVABLE_VITE_CONFIG = `import { defineConfig } from "vite";
import react from "@vitejs/plugin-react-swc";
import path from "path";
import { componentTagger } from "lovable-tagger";

export default defineConfig(({ mode }) => ({
  server: { host: "::", port: 8080 },
  plugins: [react(), mode === "development" && componentTagger()].filter(Boolean),
  resolve: { alias: { "@": path.resolve(__dirname, "./src") } },
}));
`;

/** The same stack without the tagger: what a hand-made Vite + shadcn/ui project looks like. */
const shadcnDevDependencies = Object.fromEntries(Object.entries(lovablePkg.devDependencies).filter(([name]) => name !== 'lovable-tagger'));

const SHADCN_COMPONENTS_JSON = json({ $schema: 'https://ui.shadcn.com/schema.json', style: 'default', tsx: true, aliases: { components: '@/components', utils: '@/lib/utils' } });

export const KIND_CORPUS: readonly CorpusFixture[] = [
  // --- frontend ---
  fixture('vite-react-spa', 'frontend', 'Vite + React', {
    'package.json': json(viteReactPkg),
    'vite.config.ts': "import { defineConfig } from 'vite';\nimport react from '@vitejs/plugin-react';\nexport default defineConfig({ plugins: [react()] });\n",
    'index.html': '<!doctype html><div id="root"></div><script type="module" src="/src/main.tsx"></script>\n',
    'src/main.tsx': "import React from 'react';\n",
    'tsconfig.json': '{}\n',
    'README.md': README,
    '.gitignore': GITIGNORE,
  }),
  fixture('vite-vue-spa', 'frontend', 'Vite + Vue', {
    'package.json': json({
      name: 'admin-ui',
      scripts: { dev: 'vite', build: 'vue-tsc && vite build' },
      dependencies: { vue: '^3.4.31', pinia: '^2.1.7', 'vue-router': '^4.4.0' },
      devDependencies: { '@vitejs/plugin-vue': '^5.0.5', vite: '^5.3.4', 'vue-tsc': '^2.0.26' },
    }),
    'vite.config.ts': 'export default {};\n',
    'src/App.vue': '<template><RouterView /></template>\n',
    'index.html': '<div id="app"></div>\n',
  }),
  fixture('vite-svelte-spa', 'frontend', 'Vite + Svelte', {
    'package.json': json({
      name: 'svelte-widget',
      type: 'module',
      devDependencies: { '@sveltejs/vite-plugin-svelte': '^3.1.1', svelte: '^4.2.18', vite: '^5.3.4' },
    }),
    'vite.config.js': 'export default {};\n',
    'src/App.svelte': '<h1>Hello</h1>\n',
  }),
  fixture('vite-vanilla', 'frontend', 'Vite', {
    'package.json': json({ name: 'landing', scripts: { dev: 'vite' }, devDependencies: { vite: '^5.3.4' } }),
    'index.html': '<h1>Landing</h1>\n',
    'main.js': "document.querySelector('h1').textContent = 'Hi';\n",
  }),
  fixture('angular-app', 'frontend', 'Angular', {
    'package.json': json({
      name: 'crm-web',
      scripts: { ng: 'ng', start: 'ng serve', build: 'ng build' },
      dependencies: {
        '@angular/animations': '^18.1.0',
        '@angular/common': '^18.1.0',
        '@angular/core': '^18.1.0',
        '@angular/router': '^18.1.0',
        rxjs: '~7.8.0',
        'zone.js': '~0.14.3',
      },
      devDependencies: { '@angular/cli': '^18.1.2', '@angular-devkit/build-angular': '^18.1.2', typescript: '~5.5.2' },
    }),
    'angular.json': json({ version: 1, projects: { 'crm-web': { projectType: 'application' } } }),
    'src/main.ts': "import { bootstrapApplication } from '@angular/platform-browser';\n",
    'tsconfig.json': '{}\n',
  }),
  fixture('create-react-app', 'frontend', 'Create React App', {
    'package.json': json({
      name: 'todo-app',
      dependencies: { react: '^18.2.0', 'react-dom': '^18.2.0', 'react-scripts': '5.0.1', 'web-vitals': '^2.1.4' },
      scripts: { start: 'react-scripts start', build: 'react-scripts build' },
    }),
    'public/index.html': '<div id="root"></div>\n',
    'src/App.js': 'export default function App() { return null; }\n',
  }),
  fixture('sveltekit-static', 'frontend', 'SvelteKit (static)', {
    'package.json': json({
      name: 'docs-site',
      type: 'module',
      devDependencies: {
        '@sveltejs/adapter-static': '^3.0.2',
        '@sveltejs/kit': '^2.5.18',
        '@sveltejs/vite-plugin-svelte': '^3.1.1',
        svelte: '^4.2.18',
        vite: '^5.3.4',
      },
    }),
    'svelte.config.js': "import adapter from '@sveltejs/adapter-static';\nexport default { kit: { adapter: adapter() } };\n",
    'src/routes/+page.svelte': '<h1>Docs</h1>\n',
  }),
  fixture('astro-blog', 'frontend', 'Astro', {
    'package.json': json({
      name: 'blog',
      type: 'module',
      dependencies: { astro: '^4.12.2', '@astrojs/mdx': '^3.1.3', '@astrojs/sitemap': '^3.1.6' },
    }),
    'astro.config.mjs': "import { defineConfig } from 'astro/config';\nexport default defineConfig({});\n",
    'src/pages/index.astro': '---\n---\n<h1>Blog</h1>\n',
  }),
  fixture('gatsby-site', 'frontend', 'Gatsby', {
    'package.json': json({
      name: 'portfolio',
      dependencies: { gatsby: '^5.13.7', react: '^18.2.0', 'react-dom': '^18.2.0', 'gatsby-plugin-image': '^3.13.1' },
    }),
    'gatsby-config.js': 'module.exports = { siteMetadata: { title: "Portfolio" } };\n',
    'src/pages/index.js': 'export default () => null;\n',
  }),
  fixture('docusaurus-docs', 'frontend', 'Docusaurus', {
    'package.json': json({
      name: 'product-docs',
      dependencies: { '@docusaurus/core': '3.4.0', '@docusaurus/preset-classic': '3.4.0', react: '^18.0.0' },
    }),
    'docusaurus.config.ts': 'export default {};\n',
    'docs/intro.md': '# Intro\n',
  }),
  fixture('vue-cli-app', 'frontend', 'Vue CLI', {
    'package.json': json({
      name: 'legacy-portal',
      dependencies: { vue: '^2.7.16', vuex: '^3.6.2', 'core-js': '^3.8.3' },
      devDependencies: { '@vue/cli-service': '~5.0.8', '@vue/cli-plugin-babel': '~5.0.8' },
    }),
    'vue.config.js': 'module.exports = {};\n',
    'src/main.js': "import Vue from 'vue';\n",
  }),
  fixture('expo-mobile', 'frontend', 'Expo', {
    'package.json': json({
      name: 'field-app',
      main: 'expo-router/entry',
      dependencies: { expo: '~51.0.22', 'expo-router': '~3.5.18', react: '18.2.0', 'react-native': '0.74.3' },
    }),
    'app.json': json({ expo: { name: 'Field App' } }),
    'app/index.tsx': 'export default function Home() { return null; }\n',
  }),
  fixture('static-html', 'frontend', 'Static HTML', {
    'index.html': '<!doctype html><title>Resume</title>\n',
    'styles.css': 'body { font-family: sans-serif; }\n',
    'assets/photo.jpg': 'binary',
    'README.md': README,
  }),
  fixture('flutter-app', 'frontend', 'Flutter', {
    'pubspec.yaml': 'name: shopping_list\nenvironment:\n  sdk: ">=3.4.0 <4.0.0"\ndependencies:\n  flutter:\n    sdk: flutter\n  provider: ^6.1.2\n',
    'lib/main.dart': "import 'package:flutter/material.dart';\n",
    'android/build.gradle': '// android\n',
    'ios/Runner/Info.plist': '<plist/>\n',
  }),
  fixture('hugo-site', 'frontend', 'Hugo', {
    'hugo.toml': "baseURL = 'https://example.org/'\ntitle = 'Notes'\ntheme = 'ananke'\n",
    'content/posts/first.md': '---\ntitle: First\n---\n',
    'themes/ananke/theme.toml': 'name = "Ananke"\n',
  }),
  fixture('jekyll-pages', 'frontend', 'Jekyll', {
    Gemfile: 'source "https://rubygems.org"\ngem "github-pages", group: :jekyll_plugins\n',
    '_config.yml': 'title: Team blog\n',
    '_posts/2024-01-01-hello.md': '---\nlayout: post\n---\n',
  }),
  fixture('yew-wasm', 'frontend', 'Yew', {
    'Cargo.toml': '[package]\nname = "yew-app"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nyew = { version = "0.21", features = ["csr"] }\n',
    'index.html': '<!doctype html><html></html>\n',
    'src/main.rs': 'use yew::prelude::*;\n',
  }),
  fixture('react-webpack', 'frontend', 'React', {
    'package.json': json({
      name: 'widget',
      dependencies: { react: '^18.3.1', 'react-dom': '^18.3.1' },
      devDependencies: { webpack: '^5.93.0', 'webpack-cli': '^5.1.4', 'babel-loader': '^9.1.3' },
    }),
    'webpack.config.js': 'module.exports = {};\n',
    'src/index.jsx': "import React from 'react';\n",
  }),

  // --- fullstack ---
  fixture('nextjs-app', 'fullstack', 'Next.js', {
    'package.json': json(nextPkg),
    'next.config.mjs': 'export default {};\n',
    'app/page.tsx': 'export default function Page() { return null; }\n',
    'public/favicon.ico': 'ico',
    'tsconfig.json': '{}\n',
  }),
  fixture('nextjs-custom-server', 'fullstack', 'Next.js', {
    'package.json': json({ ...nextPkg, dependencies: { ...nextPkg.dependencies, express: '^4.19.2' } }),
    'server.js': "const express = require('express');\n",
    'pages/index.js': 'export default () => null;\n',
  }),
  fixture('nuxt-app', 'fullstack', 'Nuxt', {
    'package.json': json({
      name: 'nuxt-shop',
      private: true,
      type: 'module',
      scripts: { dev: 'nuxt dev', build: 'nuxt build' },
      dependencies: { nuxt: '^3.12.4', vue: 'latest', 'vue-router': 'latest' },
    }),
    'nuxt.config.ts': 'export default defineNuxtConfig({});\n',
    'pages/index.vue': '<template><div /></template>\n',
    'server/api/hello.ts': 'export default defineEventHandler(() => "hi");\n',
  }),
  fixture('remix-app', 'fullstack', 'Remix', {
    'package.json': json({
      name: 'remix-notes',
      dependencies: { '@remix-run/node': '^2.10.3', '@remix-run/react': '^2.10.3', '@remix-run/serve': '^2.10.3', react: '^18.2.0' },
      devDependencies: { '@remix-run/dev': '^2.10.3', vite: '^5.1.0' },
    }),
    'vite.config.ts': 'export default {};\n',
    'app/root.tsx': 'export default function App() { return null; }\n',
  }),
  fixture('sveltekit-node', 'fullstack', 'SvelteKit', {
    'package.json': json({
      name: 'kit-app',
      devDependencies: { '@sveltejs/adapter-node': '^5.2.0', '@sveltejs/kit': '^2.5.18', svelte: '^4.2.18', vite: '^5.3.4' },
    }),
    'svelte.config.js': "import adapter from '@sveltejs/adapter-node';\n",
    'src/routes/+page.server.ts': 'export const load = () => ({});\n',
  }),
  fixture('astro-ssr', 'fullstack', 'Astro (server)', {
    'package.json': json({ name: 'astro-shop', dependencies: { astro: '^4.12.2', '@astrojs/node': '^8.3.2' } }),
    'astro.config.mjs': "export default { output: 'server' };\n",
    'src/pages/api/cart.ts': 'export const GET = () => new Response("[]");\n',
  }),
  fixture('vite-react-express', 'fullstack', 'Vite + React + Express', {
    'package.json': json({
      name: 'mern-todo',
      scripts: { dev: 'concurrently "vite" "node server/index.js"' },
      dependencies: { express: '^4.19.2', mongoose: '^8.5.1', react: '^18.3.1', 'react-dom': '^18.3.1', cors: '^2.8.5' },
      devDependencies: { vite: '^5.3.4', '@vitejs/plugin-react': '^4.3.1', concurrently: '^8.2.2' },
    }),
    'vite.config.js': 'export default {};\n',
    'server/index.js': "const express = require('express');\n",
    'src/App.jsx': 'export default () => null;\n',
  }),
  fixture('laravel-inertia-vue', 'fullstack', 'Vite + Vue + Laravel', {
    'composer.json': json({
      name: 'acme/crm',
      type: 'project',
      require: { php: '^8.2', 'inertiajs/inertia-laravel': '^1.0', 'laravel/framework': '^11.9' },
    }),
    'package.json': json({
      private: true,
      type: 'module',
      devDependencies: { '@inertiajs/vue3': '^1.0.0', '@vitejs/plugin-vue': '^5.0.0', 'laravel-vite-plugin': '^1.0', vite: '^5.0', vue: '^3.4.0' },
    }),
    artisan: '#!/usr/bin/env php\n',
    'app/Http/Kernel.php': '<?php\n',
    'resources/js/app.js': "import { createApp } from 'vue';\n",
    'vite.config.js': 'export default {};\n',
  }),
  fixture('flask-react', 'fullstack', 'React + Flask', {
    'requirements.txt': 'Flask==3.0.3\nFlask-Cors==4.0.1\ngunicorn==22.0.0\n',
    'package.json': json({
      name: 'flask-react',
      dependencies: { react: '^18.3.1', 'react-dom': '^18.3.1' },
      devDependencies: { webpack: '^5.93.0' },
    }),
    'app.py': 'from flask import Flask\n',
    'static/js/index.jsx': "import React from 'react';\n",
  }),
  fixture('meteor-app', 'fullstack', 'Meteor', {
    '.meteor/release': 'METEOR@2.16\n',
    '.meteor/packages': 'meteor-base\n',
    'package.json': json({ name: 'chat', dependencies: { '@babel/runtime': '^7.23.5', 'meteor-node-stubs': '^1.2.5', react: '^18.2.0' } }),
    'client/main.jsx': "import React from 'react';\n",
    'server/main.js': "import { Meteor } from 'meteor/meteor';\n",
  }),
  fixture('split-folders', 'fullstack', 'Frontend and backend folders', {
    'frontend/package.json': json({ name: 'frontend', dependencies: { react: '^18.3.1' } }),
    'backend/requirements.txt': 'fastapi==0.111.0\n',
    'docker-compose.yml': 'services: {}\n',
    'README.md': README,
  }),
  fixture('leptos-ssr', 'fullstack', 'Leptos', {
    'Cargo.toml': '[package]\nname = "leptos-app"\nversion = "0.1.0"\n\n[dependencies]\nleptos = { version = "0.6", features = ["nightly"] }\nleptos_axum = { version = "0.6", optional = true }\naxum = { version = "0.7", optional = true }\n',
    'src/main.rs': 'fn main() {}\n',
    'style/main.scss': 'body {}\n',
  }),

  // --- backend ---
  fixture('express-api', 'backend', 'Express', {
    'package.json': json({
      name: 'orders-api',
      main: 'src/index.js',
      scripts: { start: 'node src/index.js', test: 'jest' },
      dependencies: { express: '^4.19.2', pg: '^8.12.0', helmet: '^7.1.0', dotenv: '^16.4.5' },
      devDependencies: { jest: '^29.7.0', nodemon: '^3.1.4' },
    }),
    'src/index.js': "const express = require('express');\n",
    Dockerfile: 'FROM node:20\n',
  }),
  fixture('fastify-api', 'backend', 'Fastify', {
    'package.json': json({
      name: 'events-service',
      type: 'module',
      dependencies: { fastify: '^4.28.1', '@fastify/cors': '^9.0.1', pino: '^9.3.2' },
      devDependencies: { typescript: '^5.5.3', tsx: '^4.16.2' },
    }),
    'src/server.ts': "import Fastify from 'fastify';\n",
  }),
  fixture('nestjs-api', 'backend', 'NestJS', {
    'package.json': json({
      name: 'billing',
      dependencies: {
        '@nestjs/common': '^10.3.10',
        '@nestjs/core': '^10.3.10',
        '@nestjs/platform-express': '^10.3.10',
        express: '^4.19.2',
        'reflect-metadata': '^0.2.2',
        rxjs: '^7.8.1',
      },
      devDependencies: { '@nestjs/cli': '^10.4.2', '@types/express': '^4.17.21', typescript: '^5.5.3' },
    }),
    'nest-cli.json': json({ collection: '@nestjs/schematics', sourceRoot: 'src' }),
    'src/main.ts': "import { NestFactory } from '@nestjs/core';\n",
  }),
  fixture('koa-api', 'backend', 'Koa', {
    'package.json': json({ name: 'legacy-api', dependencies: { koa: '^2.15.3', '@koa/router': '^12.0.1', 'koa-bodyparser': '^4.4.1' } }),
    'app.js': "const Koa = require('koa');\n",
  }),
  fixture('hono-worker', 'backend', 'Hono', {
    'package.json': json({ name: 'edge-api', dependencies: { hono: '^4.5.1' }, devDependencies: { wrangler: '^3.65.0' } }),
    'wrangler.toml': 'name = "edge-api"\nmain = "src/index.ts"\n',
    'src/index.ts': "import { Hono } from 'hono';\n",
  }),
  fixture('django-requirements', 'backend', 'Django', {
    'requirements.txt': '# core\nDjango==5.0.7\ndjangorestframework==3.15.2\npsycopg[binary]==3.2.1\ngunicorn==22.0.0\n',
    'manage.py': '#!/usr/bin/env python\nimport os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")\n',
    'config/settings.py': 'DEBUG = False\n',
    'orders/models.py': 'from django.db import models\n',
  }),
  fixture('django-poetry-with-tooling', 'backend', 'Django', {
    'pyproject.toml': '[tool.poetry]\nname = "newsroom"\nversion = "0.1.0"\n\n[tool.poetry.dependencies]\npython = "^3.12"\ndjango = "^5.0"\ncelery = "^5.4"\n\n[tool.poetry.group.dev.dependencies]\npytest-django = "^4.8"\n',
    'package.json': json({ name: 'newsroom-assets', devDependencies: { tailwindcss: '^3.4.6', prettier: '^3.3.3' } }),
    'newsroom/settings.py': 'DEBUG = False\n',
  }),
  fixture('fastapi-pep621', 'backend', 'FastAPI', {
    'pyproject.toml': '[project]\nname = "inventory"\nversion = "0.3.0"\nrequires-python = ">=3.11"\ndependencies = [\n  "fastapi[standard]>=0.111",\n  "sqlalchemy>=2.0",\n  "pydantic-settings",\n]\n\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
    'app/main.py': 'from fastapi import FastAPI\n',
    'tests/test_main.py': 'def test_ok(): pass\n',
  }),
  fixture('flask-pipenv', 'backend', 'Flask', {
    Pipfile: '[[source]]\nurl = "https://pypi.org/simple"\nverify_ssl = true\nname = "pypi"\n\n[packages]\nflask = "*"\nflask-sqlalchemy = "*"\n\n[dev-packages]\npytest = "*"\n\n[requires]\npython_version = "3.12"\n',
    'Pipfile.lock': '{}\n',
    'app.py': 'from flask import Flask\n',
  }),
  fixture('go-net-http', 'backend', 'Go module', {
    'go.mod': 'module github.com/acme/ledger\n\ngo 1.22\n\nrequire (\n\tgithub.com/jackc/pgx/v5 v5.6.0\n)\n',
    'go.sum': '',
    'main.go': 'package main\n',
    'internal/store/store.go': 'package store\n',
  }),
  fixture('go-gin', 'backend', 'Gin', {
    'go.mod': 'module example.com/shortener\n\ngo 1.22\n\nrequire github.com/gin-gonic/gin v1.10.0\n',
    'cmd/server/main.go': 'package main\n',
    Makefile: 'run:\n\tgo run ./cmd/server\n',
  }),
  fixture('rails-app', 'backend', 'Rails', {
    Gemfile: 'source "https://rubygems.org"\n\nruby "3.3.4"\ngem "rails", "~> 7.1.3"\ngem "pg", "~> 1.1"\ngem "puma", ">= 5.0"\n',
    'Gemfile.lock': 'GEM\n',
    'config/routes.rb': 'Rails.application.routes.draw do\nend\n',
    'app/models/user.rb': 'class User < ApplicationRecord\nend\n',
    'bin/rails': '#!/usr/bin/env ruby\n',
    'config.ru': 'run Rails.application\n',
  }),
  fixture('sinatra-app', 'backend', 'Sinatra', {
    Gemfile: "source 'https://rubygems.org'\ngem 'sinatra'\ngem 'puma'\n",
    'app.rb': "require 'sinatra'\n",
  }),
  fixture('laravel-blade', 'backend', 'Laravel', {
    'composer.json': json({
      name: 'laravel/laravel',
      type: 'project',
      require: { php: '^8.2', 'laravel/framework': '^11.9', 'laravel/tinker': '^2.9' },
      'require-dev': { 'phpunit/phpunit': '^11.0.1' },
    }),
    'package.json': json({
      private: true,
      type: 'module',
      scripts: { dev: 'vite', build: 'vite build' },
      devDependencies: { axios: '^1.6.4', 'laravel-vite-plugin': '^1.0', vite: '^5.0' },
    }),
    artisan: '#!/usr/bin/env php\n',
    'routes/web.php': '<?php\n',
    'vite.config.js': 'export default {};\n',
  }),
  fixture('symfony-app', 'backend', 'Symfony', {
    'composer.json': json({
      type: 'project',
      require: { php: '>=8.2', 'symfony/console': '7.1.*', 'symfony/framework-bundle': '7.1.*', 'doctrine/orm': '^3.2' },
    }),
    'symfony.lock': '{}\n',
    'src/Kernel.php': '<?php\n',
    'config/bundles.php': '<?php\n',
  }),
  fixture('spring-boot-maven', 'backend', 'Spring Boot', {
    'pom.xml': springPom,
    mvnw: '#!/bin/sh\n',
    'src/main/java/com/example/orders/OrdersApplication.java': 'package com.example.orders;\n',
  }),
  fixture('spring-boot-gradle-kts', 'backend', 'Spring Boot', {
    'build.gradle.kts': 'plugins {\n  id("org.springframework.boot") version "3.3.2"\n  kotlin("jvm") version "1.9.24"\n}\n',
    'settings.gradle.kts': 'rootProject.name = "payments"\n',
    gradlew: '#!/bin/sh\n',
    'src/main/kotlin/Payments.kt': 'fun main() {}\n',
  }),
  fixture('axum-service', 'backend', 'Axum', {
    'Cargo.toml': '[package]\nname = "gateway"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\naxum = "0.7"\ntokio = { version = "1", features = ["full"] }\nserde = { version = "1", features = ["derive"] }\n',
    'Cargo.lock': '',
    'src/main.rs': 'use axum::Router;\n',
  }),
  fixture('actix-service', 'backend', 'Actix Web', {
    'Cargo.toml': '[package]\nname = "quotes"\nversion = "0.2.0"\nedition = "2021"\n\n[dependencies.actix-web]\nversion = "4"\n\n[dependencies]\nserde_json = "1"\n',
    'src/main.rs': 'use actix_web::App;\n',
  }),
  fixture('phoenix-app', 'backend', 'Phoenix', {
    'mix.exs': 'defmodule Chat.MixProject do\n  use Mix.Project\n  defp deps do\n    [\n      {:phoenix, "~> 1.7.14"},\n      {:phoenix_live_view, "~> 0.20.17"},\n      {:ecto_sql, "~> 3.10"}\n    ]\n  end\nend\n',
    'lib/chat_web/router.ex': 'defmodule ChatWeb.Router do\nend\n',
    'config/config.exs': 'import Config\n',
  }),
  fixture('quarkus-gradle', 'backend', 'Quarkus', {
    'build.gradle': "plugins {\n  id 'java'\n  id 'io.quarkus'\n}\ndependencies {\n  implementation enforcedPlatform(\"io.quarkus.platform:quarkus-bom:3.12.3\")\n}\n",
    'src/main/java/org/acme/GreetingResource.java': 'package org.acme;\n',
  }),

  // --- monorepo ---
  fixture('turbo-with-next-app', 'monorepo', 'Turbo monorepo', {
    'package.json': json({ name: 'acme', private: true, scripts: { build: 'turbo run build' }, devDependencies: { turbo: '^2.0.9', prettier: '^3.3.3' } }),
    'pnpm-workspace.yaml': 'packages:\n  - "apps/*"\n  - "packages/*"\n',
    'turbo.json': json({ $schema: 'https://turbo.build/schema.json', tasks: { build: { dependsOn: ['^build'] } } }),
    'apps/web/package.json': json(nextPkg),
    'apps/api/package.json': json({ name: 'api', dependencies: { express: '^4.19.2' } }),
    'packages/ui/package.json': json({ name: '@acme/ui' }),
  }),
  fixture('nx-workspace', 'monorepo', 'Nx monorepo', {
    'package.json': json({ name: '@org/source', devDependencies: { nx: '19.5.3', '@nx/react': '19.5.3', '@nx/node': '19.5.3' } }),
    'nx.json': json({ targetDefaults: { build: { cache: true } } }),
    'apps/shop/project.json': '{}\n',
    'libs/data/project.json': '{}\n',
  }),
  fixture('pnpm-workspace', 'monorepo', 'pnpm workspace', {
    'package.json': json({ name: 'tools', private: true, devDependencies: { typescript: '^5.5.3' } }),
    'pnpm-workspace.yaml': "packages:\n  - 'packages/*'\n",
    'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
    'packages/cli/package.json': json({ name: 'cli' }),
  }),
  fixture('npm-workspaces-with-next-root', 'monorepo', 'npm workspaces', {
    'package.json': json({ ...nextPkg, workspaces: ['packages/*'] }),
    'package-lock.json': '{}\n',
    'next.config.js': 'module.exports = {};\n',
    'packages/design-system/package.json': json({ name: 'design-system' }),
  }),
  fixture('yarn-workspaces', 'monorepo', 'Yarn workspaces', {
    'package.json': json({ private: true, workspaces: { packages: ['services/*', 'web'] } }),
    'yarn.lock': '# yarn lockfile v1\n',
    'services/auth/package.json': json({ name: 'auth', dependencies: { fastify: '^4.28.1' } }),
    'web/package.json': json({ name: 'web', dependencies: { react: '^18.3.1' } }),
  }),
  fixture('lerna-monorepo', 'monorepo', 'Lerna monorepo', {
    'package.json': json({ name: 'root', private: true, workspaces: ['packages/*'], devDependencies: { lerna: '^8.1.7' } }),
    'lerna.json': json({ $schema: 'node_modules/lerna/schemas/lerna-schema.json', version: 'independent' }),
    'nx.json': '{}\n',
    'packages/core/package.json': json({ name: '@lib/core' }),
  }),
  fixture('rush-monorepo', 'monorepo', 'Rush monorepo', {
    'rush.json': '{ "rushVersion": "5.130.2", "projects": [] }\n',
    'common/config/rush/pnpm-config.json': '{}\n',
    'apps/portal/package.json': json({ name: 'portal' }),
  }),
  fixture('cargo-workspace', 'monorepo', 'Cargo workspace', {
    'Cargo.toml': '[workspace]\nresolver = "2"\nmembers = ["crates/*"]\n\n[workspace.dependencies]\naxum = "0.7"\n',
    'crates/api/Cargo.toml': '[package]\nname = "api"\n',
    'crates/core/Cargo.toml': '[package]\nname = "core"\n',
  }),

  // --- look-alikes that must not become monorepos ---
  fixture('pnpm-settings-only', 'frontend', 'Vite + React', {
    'package.json': json(viteReactPkg),
    'pnpm-workspace.yaml': 'onlyBuiltDependencies:\n  - esbuild\n',
    'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
    'vite.config.ts': 'export default {};\n',
  }),
  fixture('fastapi-with-mkdocs', 'backend', 'FastAPI', {
    'requirements.txt': 'fastapi==0.111.0\nuvicorn[standard]==0.30.1\nmkdocs-material==9.5.30  # docs\n',
    'mkdocs.yml': 'site_name: API docs\n',
    'docs/index.md': '# API\n',
    'main.py': 'from fastapi import FastAPI\n',
  }),

  // --- made with an AI app builder ---
  builder('lovable-vite-react', 'frontend', 'Vite + React', ['lovable', 'lovable-tagger in devDependencies'], 'a Lovable project as Lovable pushes it is a Lovable app', {
    'package.json': json(lovablePkg),
    'vite.config.ts': LOVABLE_VITE_CONFIG,
    'components.json': SHADCN_COMPONENTS_JSON,
    'index.html': '<!doctype html><div id="root"></div><script type="module" src="/src/main.tsx"></script>\n',
    'src/main.tsx': "import { createRoot } from 'react-dom/client';\n",
    'src/integrations/supabase/client.ts': "import { createClient } from '@supabase/supabase-js';\n",
    'supabase/config.toml': 'project_id = "abcdefghijklmnop"\n',
    'tailwind.config.ts': 'export default {};\n',
    'bun.lockb': 'binary',
    'README.md': '# Welcome to your Lovable project\n\n## Project info\n\n**URL**: https://lovable.dev/projects/0f6c1d8e-2b1a-4c55-9a7e-3d2b8c1e4f5a\n',
  }),
  builder('lovable-template-rewritten', 'fullstack', 'Vite + React + Express', ['lovable', 'lovable-tagger in devDependencies'], 'a Lovable template rewritten since (renamed, a server added, the plugin dropped from the Vite config) is still reported, with the evidence left', {
    'package.json': json({
      ...lovablePkg,
      name: 'field-service-portal',
      scripts: { ...lovablePkg.scripts, server: 'node server/index.js' },
      dependencies: { ...lovablePkg.dependencies, express: '^4.19.2', pg: '^8.12.0' },
    }),
    'vite.config.ts': 'import { defineConfig } from "vite";\nimport react from "@vitejs/plugin-react-swc";\nexport default defineConfig({ plugins: [react()] });\n',
    'server/index.js': "const express = require('express');\n",
    'src/App.tsx': 'export default function App() { return null; }\n',
    'README.md': '# Field service portal\n\nInternal tool for dispatchers.\n',
  }),
  builder('lovable-app-in-monorepo', 'monorepo', 'Turbo monorepo', ['lovable', 'apps/web: lovable-tagger in devDependencies'], 'a Lovable app moved into apps/web of a monorepo is reported with that path', {
    'package.json': json({ name: 'crm', private: true, scripts: { build: 'turbo run build' }, devDependencies: { turbo: '^2.0.9' } }),
    'pnpm-workspace.yaml': 'packages:\n  - "apps/*"\n  - "packages/*"\n',
    'turbo.json': json({ $schema: 'https://turbo.build/schema.json', tasks: { build: { dependsOn: ['^build'] } } }),
    'apps/web/package.json': json({ ...lovablePkg, name: 'web' }),
    'apps/web/vite.config.ts': LOVABLE_VITE_CONFIG,
    'apps/api/package.json': json({ name: 'api', dependencies: { fastify: '^4.28.1' } }),
    'packages/db/package.json': json({ name: '@crm/db' }),
  }),
  builder('lovable-app-outside-apps-web', 'monorepo', 'Turbo monorepo', null, 'a Lovable app in another monorepo folder is not seen: apps/web is the one folder read below the root', {
    'package.json': json({ name: 'ops', private: true, devDependencies: { turbo: '^2.0.9' } }),
    'turbo.json': json({ tasks: {} }),
    'apps/admin/package.json': json({ ...lovablePkg, name: 'admin' }),
    'apps/admin/vite.config.ts': LOVABLE_VITE_CONFIG,
  }),
  builder('lovable-project-later-run-on-replit', 'frontend', 'Vite + React', ['lovable', 'lovable-tagger in devDependencies'], 'Replit files added to a Lovable project do not hide who made it', {
    'package.json': json(lovablePkg),
    'vite.config.ts': LOVABLE_VITE_CONFIG,
    '.replit': 'modules = ["nodejs-20", "web"]\nrun = "npm run dev"\n',
    'src/main.tsx': "import { createRoot } from 'react-dom/client';\n",
  }),
  builder('bolt-vite-react', 'frontend', 'Vite + React', ['bolt', '.bolt folder'], 'a project Bolt exported (its .bolt folder holds the template and prompt) is a Bolt app', {
    '.bolt/config.json': json({ template: 'bolt-vite-react-ts' }),
    '.bolt/prompt': 'For all designs I ask you to make, have them be beautiful, not cookie cutter.\n',
    'package.json': json({
      name: 'vite-react-typescript-starter',
      private: true,
      version: '0.0.0',
      type: 'module',
      scripts: { dev: 'vite', build: 'vite build', lint: 'eslint .', preview: 'vite preview' },
      dependencies: { 'lucide-react': '^0.344.0', react: '^18.3.1', 'react-dom': '^18.3.1' },
      devDependencies: { '@vitejs/plugin-react': '^4.3.1', tailwindcss: '^3.4.1', typescript: '^5.5.3', vite: '^5.4.2' },
    }),
    'vite.config.ts': "import { defineConfig } from 'vite';\nimport react from '@vitejs/plugin-react';\nexport default defineConfig({ plugins: [react()], optimizeDeps: { exclude: ['lucide-react'] } });\n",
    'index.html': '<div id="root"></div>\n',
    'src/App.tsx': 'export default function App() { return null; }\n',
  }),
  builder('bolt-expo-app', 'frontend', 'Expo', ['bolt', '.bolt folder'], 'Bolt is recognised by its folder whatever the stack (here a mobile app)', {
    '.bolt/config.json': json({ template: 'expo' }),
    'package.json': json({ name: 'bolt-expo-starter', main: 'expo-router/entry', dependencies: { expo: '^52.0.30', 'expo-router': '~4.0.17', react: '18.3.1', 'react-native': '0.76.6' } }),
    'app.json': json({ expo: { name: 'habit-tracker' } }),
    'app/(tabs)/index.tsx': 'export default function Home() { return null; }\n',
  }),
  builder('replit-flask-app', 'backend', 'Flask', ['replit', '.replit file'], 'a Replit project (its .replit run configuration) is a Replit app', {
    '.replit': 'modules = ["python-3.11"]\nrun = "python main.py"\n\n[deployment]\nrun = ["sh", "-c", "python main.py"]\n',
    'replit.nix': '{ pkgs }: {\n  deps = [ pkgs.python311 ];\n}\n',
    'requirements.txt': 'flask==3.0.3\n',
    'main.py': 'from flask import Flask\n',
    'templates/index.html': '<h1>Hi</h1>\n',
  }),
  builder('replit-nix-express', 'backend', 'Express', ['replit', 'replit.nix file'], 'replit.nix alone (older Replit projects) is a Replit app too', {
    'replit.nix': '{ pkgs }: {\n  deps = [ pkgs.nodejs-18_x ];\n}\n',
    'package.json': json({ name: 'discord-bot-dashboard', dependencies: { express: '^4.19.2', 'discord.js': '^14.15.3' } }),
    'index.js': "const express = require('express');\n",
  }),
  builder('v0-next-app', 'fullstack', 'Next.js', ['v0', 'package named my-v0-project'], 'a v0 export keeps the package name v0 gives it', {
    'package.json': json({
      name: 'my-v0-project',
      version: '0.1.0',
      private: true,
      scripts: { dev: 'next dev', build: 'next build', start: 'next start', lint: 'next lint' },
      dependencies: { '@radix-ui/react-slot': '1.1.1', 'class-variance-authority': '^0.7.1', clsx: '^2.1.1', next: '15.2.4', react: '^19', 'react-dom': '^19', 'tailwind-merge': '^2.5.5' },
      devDependencies: { '@types/node': '^22', '@types/react': '^19', tailwindcss: '^3.4.17', typescript: '^5' },
    }),
    'components.json': SHADCN_COMPONENTS_JSON,
    'app/layout.tsx': "export const metadata = { title: 'v0 App', generator: 'v0.dev' };\n",
    'app/page.tsx': 'export default function Page() { return null; }\n',
    'next.config.mjs': 'export default {};\n',
  }),
  builder('base44-vite-react', 'frontend', 'Vite + React', ['base44', '@base44/vite-plugin in devDependencies'], 'an app Base44 exported (its Vite plugin and SDK) is a Base44 app', {
    'package.json': json({
      name: 'base44-app',
      private: true,
      type: 'module',
      scripts: { dev: 'vite', build: 'vite build' },
      dependencies: { '@base44/sdk': '^0.7.1', react: '^18.2.0', 'react-dom': '^18.2.0', 'react-router-dom': '^7.2.0' },
      devDependencies: { '@base44/vite-plugin': '^0.2.3', '@vitejs/plugin-react': '^4.3.4', vite: '^6.1.0' },
    }),
    'vite.config.js': 'import base44 from "@base44/vite-plugin";\nimport react from "@vitejs/plugin-react";\nexport default { plugins: [base44(), react()] };\n',
    'src/api/base44Client.js': 'import { createClient } from "@base44/sdk";\n',
    'README.md': '# Base44 App\n\nThis app was created automatically by Base44.\n',
  }),
  builder('tempo-vite-react', 'frontend', 'Vite + React', ['tempo', 'tempo-devtools in dependencies'], 'an app Tempo made (its devtools package) is a Tempo app', {
    'package.json': json({
      name: 'starter',
      private: true,
      type: 'module',
      scripts: { dev: 'vite', build: 'tsc && vite build' },
      dependencies: { react: '^18.2.0', 'react-dom': '^18.2.0', 'react-router-dom': '^6.23.1', 'tempo-devtools': '^2.0.94' },
      devDependencies: { '@vitejs/plugin-react-swc': '^3.5.0', typescript: '^5.2.2', vite: '^5.2.0' },
    }),
    'vite.config.ts': 'export default {};\n',
    'src/main.tsx': 'import { TempoDevtools } from "tempo-devtools";\nTempoDevtools.init();\n',
  }),

  // --- look-alikes that were not made with an app builder ---
  builder('readme-mentions-lovable', 'frontend', 'Vite + React', null, 'a README that merely mentions Lovable does not make a Lovable app', {
    'package.json': json(viteReactPkg),
    'vite.config.ts': 'export default {};\n',
    'README.md': '# Dashboard\n\nA lovable little dashboard. We compared Lovable (https://lovable.dev), Bolt and v0 before writing it by hand.\n',
  }),
  builder('shadcn-vite-lookalike', 'frontend', 'Vite + React', null, 'the same stack as a Lovable project (Vite, React, shadcn/ui, port 8080) without its tagger is not one', {
    'package.json': json({ ...lovablePkg, name: 'inventory-ui', devDependencies: shadcnDevDependencies }),
    'vite.config.ts': 'import { defineConfig } from "vite";\nexport default defineConfig({ server: { host: "::", port: 8080 } });\n',
    'components.json': SHADCN_COMPONENTS_JSON,
  }),
  builder('slack-bolt-app', 'unknown', 'Unrecognised manifest', null, "Slack's Bolt framework and a bolt/ folder are not Bolt the app builder", {
    'package.json': json({ name: 'standup-bot', dependencies: { '@slack/bolt': '^3.19.0' } }),
    'bolt/app.js': "const { App } = require('@slack/bolt');\n",
    'manifest.yml': 'display_information:\n  name: Standup\n',
  }),
  builder('replit-named-without-config', 'backend', 'Express', null, 'a project that only talks about Replit (its name, its docs) is not a Replit app', {
    'package.json': json({ name: 'replit-clone', dependencies: { express: '^4.19.2' } }),
    'docs/replit.md': '# Deploying like Replit\n',
    'server.js': "const express = require('express');\n",
  }),
  builder('v0-components-in-next-app', 'fullstack', 'Next.js', null, 'a Next.js app with shadcn/ui components (what v0 generates) under its own name is not a v0 export', {
    'package.json': json({ ...nextPkg, dependencies: { ...nextPkg.dependencies, 'class-variance-authority': '^0.7.1', 'tailwind-merge': '^2.5.5' } }),
    'components.json': SHADCN_COMPONENTS_JSON,
    'app/page.tsx': 'export default function Page() { return null; }\n',
  }),

  // --- unknown ---
  fixture('empty-repository', 'unknown', 'Empty repository', {}),
  fixture('docs-only', 'unknown', 'No manifest found', {
    'README.md': README,
    LICENSE: 'MIT License\n',
    'docs/architecture.md': '# Architecture\n',
    'diagrams/overview.drawio': '<mxfile/>\n',
  }),
  fixture('dotfiles', 'unknown', 'No manifest found', {
    '.bashrc': 'export EDITOR=vim\n',
    '.vimrc': 'set number\n',
    'install.sh': '#!/bin/sh\n',
  }),
  fixture('invalid-package-json', 'unknown', 'Invalid package.json', {
    'package.json': '{\n  "name": "broken",\n  "dependencies": {\n    "react": "^18.3.1",\n  }\n',
    'src/index.js': 'console.log(1);\n',
  }),
  fixture('package-json-not-an-object', 'unknown', 'Invalid package.json', {
    'package.json': '["not", "a", "manifest"]\n',
  }),
  fixture('dev-tooling-only', 'unknown', 'Only dev tooling in package.json', {
    'package.json': json({
      name: 'handbook',
      private: true,
      scripts: { lint: 'markdownlint "**/*.md"', prepare: 'husky' },
      devDependencies: { husky: '^9.1.1', 'lint-staged': '^15.2.7', prettier: '^3.3.3', '@commitlint/cli': '^19.3.0' },
    }),
    '.husky/pre-commit': 'npx lint-staged\n',
    'guides/onboarding.md': '# Onboarding\n',
  }),
  fixture('node-library', 'unknown', 'Unrecognised manifest', {
    'package.json': json({ name: 'tiny-date', version: '2.1.0', main: 'dist/index.js', dependencies: { tslib: '^2.6.3' } }),
    'src/index.ts': 'export const now = () => Date.now();\n',
  }),
  fixture('rust-cli', 'unknown', 'Unrecognised manifest', {
    'Cargo.toml': '[package]\nname = "grepish"\nversion = "1.0.0"\nedition = "2021"\n\n[dependencies]\nclap = { version = "4", features = ["derive"] }\nregex = "1"\n',
    'src/main.rs': 'fn main() {}\n',
  }),
  fixture('python-library', 'unknown', 'Unrecognised manifest', {
    'pyproject.toml': '[project]\nname = "stats-utils"\ndescription = "Small helpers, like a Flask of tools"\ndependencies = ["numpy>=1.26", "scipy"]\n',
    'src/stats_utils/__init__.py': '',
  }),
  fixture('cmake-project', 'unknown', 'Unrecognised manifest', {
    'CMakeLists.txt': 'cmake_minimum_required(VERSION 3.20)\nproject(engine)\n',
    'src/main.cpp': 'int main() {}\n',
    'include/engine.h': '#pragma once\n',
  }),
  fixture('dotnet-solution', 'unknown', 'Unrecognised manifest', {
    'Inventory.sln': 'Microsoft Visual Studio Solution File\n',
    'Inventory.Api/Program.cs': 'var app = WebApplication.Create();\n',
  }),
];
