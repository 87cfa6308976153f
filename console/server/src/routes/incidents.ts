import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../context';

export const incidentRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async () => {};
